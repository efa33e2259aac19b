import { describe, expect, it } from "vitest";
import { formatDotenv, parseDotenv } from "@/lib/config/dotenv";

describe(".env parsing", () => {
  it("reads the common forms", () => {
    const { entries, errors } = parseDotenv(
      [
        "# comment",
        "PLAIN=value",
        "export EXPORTED=yes",
        "SPACED = padded  ",
        'DOUBLE="a\\nb \\"q\\""',
        "SINGLE='${{ not_expanded }} \\n'",
        "INLINE=value # trailing comment",
        "HASH=a#b",
        "EMPTY=",
        'MULTI="line1',
        'line2"',
        "PLAIN=overridden",
        "",
      ].join("\n"),
    );
    expect(errors).toEqual([]);
    expect(Object.fromEntries(entries.map((e) => [e.key, e.value]))).toEqual({
      PLAIN: "overridden",
      EXPORTED: "yes",
      SPACED: "padded",
      DOUBLE: 'a\nb "q"',
      SINGLE: "${{ not_expanded }} \\n",
      INLINE: "value",
      HASH: "a#b",
      EMPTY: "",
      MULTI: "line1\nline2",
    });
  });

  it("reports bad lines with their numbers and keeps the good ones", () => {
    const { entries, errors } = parseDotenv('GOOD=1\nno equals here\n1BAD=x\nOPEN="never closed\n');
    expect(entries).toEqual([{ key: "GOOD", value: "1" }]);
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4]);
    expect(errors[1]!.message).toMatch(/not a valid key/);
  });

  it("round-trips any value through format and parse", () => {
    const entries = [
      { key: "A", value: 'quote " backslash \\ newline \n tab \t hash # dollar ${{ X }}' },
      { key: "B", value: "" },
      { key: "C", value: "  spaces kept  " },
    ];
    expect(parseDotenv(formatDotenv(entries)).entries).toEqual(entries);
  });
});
