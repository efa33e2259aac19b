import { describe, expect, it } from "vitest";
import { escapeLiteral, parseReferences } from "@/lib/config/references";

/** The literal text of a parse that must have no references and no errors. */
function literal(value: string): string {
  const { parts, errors } = parseReferences(value);
  expect(errors).toEqual([]);
  return parts
    .map((p) => {
      if (!("text" in p)) throw new Error(`unexpected reference ${p.ref.raw} in ${JSON.stringify(value)}`);
      return p.text;
    })
    .join("");
}

describe("parseReferences: well-formed references", () => {
  it("returns plain text as one part and an empty value as no parts", () => {
    expect(parseReferences("postgres://db:5432/app")).toEqual({ parts: [{ text: "postgres://db:5432/app" }], errors: [] });
    expect(parseReferences("")).toEqual({ parts: [], errors: [] });
  });

  it("parses every qualified form with its raw text", () => {
    expect(parseReferences("${{ KEY }}${{ team.T }}${{ project.P }}${{ env.E }}${{ services.api-2.S_1 }}")).toEqual({
      parts: [
        { ref: { scope: "self", key: "KEY", raw: "${{ KEY }}" } },
        { ref: { scope: "team", key: "T", raw: "${{ team.T }}" } },
        { ref: { scope: "project", key: "P", raw: "${{ project.P }}" } },
        { ref: { scope: "env", key: "E", raw: "${{ env.E }}" } },
        { ref: { scope: "service", service: "api-2", key: "S_1", raw: "${{ services.api-2.S_1 }}" } },
      ],
      errors: [],
    });
  });

  it("accepts any whitespace inside the braces, or none", () => {
    for (const value of ["${{KEY}}", "${{ KEY }}", "${{   KEY\t}}", "${{\n KEY \n}}"]) {
      expect(parseReferences(value)).toEqual({ parts: [{ ref: { scope: "self", key: "KEY", raw: value } }], errors: [] });
    }
    expect(parseReferences("${{  team.KEY  }}").parts).toEqual([{ ref: { scope: "team", key: "KEY", raw: "${{  team.KEY  }}" } }]);
  });

  it("splits text around references and keeps the text exact", () => {
    expect(parseReferences("postgres://${{ USER }}:${{team.PASS}}@db/${{ env.DB }}?ssl=1")).toEqual({
      parts: [
        { text: "postgres://" },
        { ref: { scope: "self", key: "USER", raw: "${{ USER }}" } },
        { text: ":" },
        { ref: { scope: "team", key: "PASS", raw: "${{team.PASS}}" } },
        { text: "@db/" },
        { ref: { scope: "env", key: "DB", raw: "${{ env.DB }}" } },
        { text: "?ssl=1" },
      ],
      errors: [],
    });
  });

  it("treats lower-case scope-like keys alone as unqualified keys", () => {
    expect(parseReferences("${{ team }}").parts).toEqual([{ ref: { scope: "self", key: "team", raw: "${{ team }}" } }]);
  });
});

describe("parseReferences: escaping", () => {
  it("$${{ is the literal ${{ and not a reference", () => {
    expect(parseReferences("$${{ A }}")).toEqual({ parts: [{ text: "${{ A }}" }], errors: [] });
    expect(literal("echo $${{ team.X }} and $${{")).toBe("echo ${{ team.X }} and ${{");
  });

  it("a run of $ before {{ is halved; an odd one left over opens a reference", () => {
    expect(parseReferences("$$${{ A }}")).toEqual({ parts: [{ text: "$" }, { ref: { scope: "self", key: "A", raw: "${{ A }}" } }], errors: [] });
    expect(literal("$$$${{ A }}")).toBe("$${{ A }}");
    expect(parseReferences("x$$$$${{ A }}y").parts).toEqual([{ text: "x$$" }, { ref: { scope: "self", key: "A", raw: "${{ A }}" } }, { text: "y" }]);
  });

  it("leaves $ that does not precede {{ as typed, and {{ without $ literal", () => {
    expect(literal("pa$$word $$ $")).toBe("pa$$word $$ $");
    expect(literal("{{ A }} $ {{ B }} }}")).toBe("{{ A }} $ {{ B }} }}");
    expect(literal("$")).toBe("$");
  });

  it("an escape directly followed by a reference keeps both", () => {
    expect(parseReferences("$${{${{ A }}").parts).toEqual([{ text: "${{" }, { ref: { scope: "self", key: "A", raw: "${{ A }}" } }]);
  });

  it("escapeLiteral round-trips any text as a literal", () => {
    const texts = ["plain", "${{ A }}", "$${{ A }}", "$$$", "a${{b}}$${{c}}$$${{{{", "{{${{", "${{ unterminated", "end$"];
    for (const text of texts) expect(literal(escapeLiteral(text))).toBe(text);
    expect(escapeLiteral("pa$$word")).toBe("pa$$word");
    expect(escapeLiteral("${{ A }}")).toBe("$${{ A }}");
  });
});

describe("parseReferences: malformed references", () => {
  const cases: [string, RegExp][] = [
    ["${{ }}", /^empty reference "\$\{\{ \}\}" at position 0/],
    ["${{}}", /^empty reference/],
    ["${{ team. }}", /^missing key in "\$\{\{ team\. \}\}"/],
    ["${{ .A }}", /^malformed reference/],
    ["${{ foo.A }}", /^unknown scope "foo" in "\$\{\{ foo\.A \}\}"/],
    ["${{ environment.A }}", /^unknown scope "environment"/],
    ["${{ Team.A }}", /^unknown scope "Team"/],
    ["${{ services.api }}", /^malformed reference .*expected services\.<service>\.KEY/],
    ["${{ services.api.A.B }}", /^malformed reference/],
    ["${{ services.Api.A }}", /^invalid service name "Api"/],
    ["${{ team.A.B }}", /^malformed reference .*expected team\.KEY/],
    ["${{ 9A }}", /^invalid key "9A"/],
    ["${{ A-B }}", /^invalid key "A-B"/],
    ["${{ env.A B }}", /^invalid key "A B"/],
    ["${{ team . A }}", /^unknown scope "team "/],
  ];
  for (const [value, message] of cases) {
    it(`reports ${value} and keeps it as text`, () => {
      const { parts, errors } = parseReferences(value);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(message);
      expect(parts).toEqual([{ text: value }]);
    });
  }

  it("reports an unterminated ${{ with its position", () => {
    expect(parseReferences("abc${{ A")).toEqual({ parts: [{ text: "abc${{ A" }], errors: ['unterminated "${{" at position 3 (no closing "}}")'] });
    expect(parseReferences("${{ A }}${{").errors).toEqual(['unterminated "${{" at position 8 (no closing "}}")']);
  });

  it("keeps parsing after a malformed reference and reports each", () => {
    const { parts, errors } = parseReferences("${{ }}-${{ A }}-${{ x.Y }}");
    expect(parts).toEqual([{ text: "${{ }}-" }, { ref: { scope: "self", key: "A", raw: "${{ A }}" } }, { text: "-${{ x.Y }}" }]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^empty reference/);
    expect(errors[1]).toMatch(/^unknown scope "x" .* at position 16/);
  });
});
