// LWC Jest for force-app/ (lwc/ is the bridge page's own project, with its own Jest).
const { jestConfig } = require("@salesforce/sfdx-lwc-jest/config");

module.exports = {
  ...jestConfig,
  moduleNameMapper: {
    ...jestConfig.moduleNameMapper,
    "^test/fakeBridge$": "<rootDir>/jest-helpers/fakeBridge.js"
  },
  modulePathIgnorePatterns: ["<rootDir>/lwc/", "<rootDir>/lightning-standin/"],
  testPathIgnorePatterns: [
    "<rootDir>/lwc/",
    "<rootDir>/node_modules/",
    "<rootDir>/lightning-standin/"
  ]
};
