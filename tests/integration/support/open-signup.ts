// A setup file of the integration tests (vitest.config.mts `setupFiles`): every file starts with sign-up open.
import { beforeAll } from "vitest";
import { openSignUp } from "../../support/signup-policy";

beforeAll(openSignUp);
