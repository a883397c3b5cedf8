// Validate xAPI 1.0.3 statements with Learning Locker's @learninglocker/xapi-validation.
// Input (stdin): a JSON array of statements. Output (stdout): a JSON array, one entry per statement:
// {"valid": bool, "warnings": [{"path": "statement.actor.mbox", "message": "..."}]}.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const validate = require("@learninglocker/xapi-validation").default;

const describe = (warning) => ({
  path: (warning.path || []).join("."),
  message: warning.message || (warning.constructor && warning.constructor.name) || String(warning),
  kind: warning.constructor && warning.constructor.name,
});

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const statements = JSON.parse(input);
  const out = statements.map((statement) => {
    const warnings = validate(statement).map(describe);
    return { valid: warnings.length === 0, warnings };
  });
  process.stdout.write(JSON.stringify(out));
});
