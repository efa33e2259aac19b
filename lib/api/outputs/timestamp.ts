// A moment in an answer: ISO 8601 text (the data layer hands out Dates; the OpenAPI document says "date-time").
import { z } from "zod";

export const timestamp = z.codec(z.date(), z.iso.datetime(), { decode: (d) => d.toISOString(), encode: (s) => new Date(s) });
