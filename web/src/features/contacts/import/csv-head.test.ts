import { describe, expect, it } from "vitest";

import { guessMapping, mappingProblems, parseHead, parseRecords, readHead } from "./csv-head";

describe("parseRecords", () => {
  it("reads quotes, doubled quotes, delimiters and newlines in fields, CRLF", () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n1,2,3';
    expect(parseRecords(text, ",", 10)).toEqual([
      ["a", "b", "c"],
      ["x, y", 'say "hi"', "two\nlines"],
      ["1", "2", "3"],
    ]);
  });
  it("stops at max and skips blank lines", () => {
    expect(parseRecords("a\n\n b \nc\nd\n", ",", 2)).toEqual([["a"], [" b "]]);
  });
});

describe("parseHead", () => {
  it("detects the delimiter, names empty and repeated headers, drops a cut last line", () => {
    const head = parseHead("\uFEFFPhone;Name;;Name\n+1415;Ada;x;y\n+1416;Bo", false);
    expect(head.delimiter).toBe(";");
    expect(head.headers).toEqual(["Phone", "Name", "column 3", "Name (2)"]);
    expect(head.rows).toEqual([["+1415", "Ada", "x", "y"]]);
  });
  it("keeps the last line of a complete file", () => {
    expect(parseHead("phone\n1\n2", true).rows).toEqual([["1"], ["2"]]);
  });
  it("reads only the head of a large file", async () => {
    const row = "+14155550123,Ada,Lovelace,vip\n";
    const big = new Blob(["phone,first,last,tags\n", row.repeat(200_000)]);
    const head = await readHead(big, 4096);
    expect(head.complete).toBe(false);
    expect(head.headers).toEqual(["phone", "first", "last", "tags"]);
    expect(head.rows).toHaveLength(5);
  });
});

describe("guessMapping and mappingProblems", () => {
  it("guesses like the server and makes the rest custom fields", () => {
    expect(
      guessMapping(["Mobile", "First Name", "Surname", "E-mail", "Favorite Color", "Phone"]),
    ).toEqual({
      Mobile: "phone",
      "First Name": "first_name",
      Surname: "last_name",
      "E-mail": "email",
      "Favorite Color": "fields.favorite_color",
      Phone: "fields.phone",
    });
  });
  it("needs a phone column and one column per target", () => {
    expect(mappingProblems({ a: "email", b: "email" })).toEqual({
      b: "Already the column “a”.",
      _form: "Choose the column that holds the phone numbers.",
    });
    expect(mappingProblems({ a: "phone", b: "fields.-x", c: "ignore", d: "ignore" })).toEqual({
      b: "1-64 letters, digits, _ or - (not starting with -).",
    });
  });
});
