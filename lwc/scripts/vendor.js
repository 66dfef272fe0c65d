// Copies the pinned Socket.IO browser client next to the bridge, where the backend serves it
// (the backend runs without Node.js in production, so the file is committed). Run after
// changing the socket.io-client version: `npm run vendor`; a Python test checks the versions.
const fs = require("fs");
const path = require("path");

const client = path.join(__dirname, "..", "node_modules", "socket.io-client");
const source = path.join(client, "dist", "socket.io.min.js");
const version = JSON.parse(fs.readFileSync(path.join(client, "package.json"), "utf8")).version;
const target = path.join(__dirname, "..", "bridge", "vendor", "socket.io.min.js");
const body = fs.readFileSync(source, "utf8");
fs.writeFileSync(target, `/* socket.io-client ${version} (MIT) */\n${body}`);
console.log(`vendored socket.io-client ${version} into ${path.relative(process.cwd(), target)}`);
