// LWC Jest for force-app/ (lwc/ is the bridge page's own project, with its own Jest).
const { jestConfig } = require("@salesforce/sfdx-lwc-jest/config");

module.exports = {
  ...jestConfig,
  modulePathIgnorePatterns: ["<rootDir>/lwc/"],
  testPathIgnorePatterns: ["<rootDir>/lwc/", "<rootDir>/node_modules/"],
};
