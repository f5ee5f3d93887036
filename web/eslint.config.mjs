import next from "eslint-config-next";
import nextTypeScript from "eslint-config-next/typescript";

const config = [
  ...next,
  ...nextTypeScript,
  {
    rules: {
      // Pages compose features; fetching lives in features/<domain> hooks.
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@/api/client",
              importNames: ["api"],
              message: "Pages do not fetch: use a hook from features/<domain>.",
            },
          ],
        },
      ],
    },
  },
  {
    // Features and the session own the API calls.
    files: ["src/features/**", "src/api/**", "src/components/shell/**"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    ignores: [
      "node_modules/",
      "out/",
      ".next/",
      "test-artifacts/",
      "src/api/schema.d.ts",
      "next-env.d.ts",
    ],
  },
];

export default config;
