// The bundle's entry: run the command line and exit with its code.
import { main } from "./main";

main(process.argv).then((code) => process.exit(code));
