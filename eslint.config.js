// ESLint for the Lightning Web Components: Salesforce's recommended LWC rules (flat config).
const lwcConfig = require("@salesforce/eslint-config-lwc");
const jestPlugin = require("eslint-plugin-jest");

module.exports = [
  ...lwcConfig.configs.recommended,
  {
    files: ["force-app/main/default/lwc/**/__tests__/**/*.js"],
    plugins: { jest: jestPlugin },
    languageOptions: { globals: jestPlugin.environments.globals.globals },
    // Tests wait for the component's promises with a timer; components may not use them.
    rules: { "@lwc/lwc/no-async-operation": "off" },
  },
];
