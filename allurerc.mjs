// Allure 3 configuration for `b2c-conformance report` (npm package "allure", pinned in package.json).
// A single self-contained index.html, grouped by phase (feature) and profile rule (story).
export default {
  name: "FinHub B2C conformance",
  output: "./reports/allure-report",
  plugins: {
    awesome: {
      options: { singleFile: true, reportLanguage: "en", groupBy: ["feature", "story"] },
    },
  },
};
