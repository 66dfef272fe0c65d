// Builds the Lightning stand-in: the same force-app LWCs an admin deploys, compiled with the LWC
// OSS compiler beside lightning-base-components, for a local browser (see
// ../shared/LWC-STANDIN-NOTES.md for why each option is here).
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import lwc from "@lwc/rollup-plugin";
import replace from "@rollup/plugin-replace";
import { nodeResolve } from "@rollup/plugin-node-resolve";

const here = path.dirname(fileURLToPath(import.meta.url));
const lwcDir = path.join(here, "..", "force-app", "main", "default", "lwc");

// The SFDX layout has no <namespace>/<name> folders: one alias record per bundle.
const bundles = readdirSync(lwcDir).filter((name) =>
  statSync(path.join(lwcDir, name)).isDirectory()
);

export default {
  input: path.join(here, "src", "main.js"),
  output: {
    dir: path.join(here, "dist"), // the base components use dynamic import()
    format: "esm",
    entryFileNames: "main.js",
    chunkFileNames: "[name]-[hash].js"
  },
  plugins: [
    replace({
      preventAssignment: true,
      values: {
        "import.meta.env.SSR": "false",
        "process.env.NODE_ENV": JSON.stringify("production")
      }
    }),
    lwc({
      modules: [
        ...bundles.map((name) => ({
          name: `c/${name}`,
          path: path.join(lwcDir, name, `${name}.js`)
        })),
        // Platform modules that exist only in an org: stand-ins for the ones the tab uses.
        {
          name: "lightning/platformShowToastEvent",
          path: path.join(here, "src", "stubs", "platformShowToastEvent.js")
        },
        {
          name: "lightning/inputRichText",
          path: path.join(here, "src", "stubs", "inputRichText", "inputRichText.js")
        },
        { npm: "lightning-base-components" }
      ],
      enableDynamicComponents: true,
      enableSyntheticElementInternals: true
    }),
    nodeResolve()
  ],
  onwarn(warning, warn) {
    // Rollup only warns on an import it cannot resolve; here that is a broken build.
    if (warning.code === "UNRESOLVED_IMPORT") {
      throw new Error(`Unresolved import: ${warning.exporter || warning.message}`);
    }
    warn(warning);
  }
};
