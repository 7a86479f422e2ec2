// node --import ./resolve_from_here.mjs: lets the tests import the served browser modules in
// ../assets/ (the call's client, the generated protobuf code) whose bare imports
// ("protobufjs/minimal.js") resolve in the browser build, not from assets/. A bare import
// that fails there is resolved again from this package, whose node_modules pins the same
// protobufjs the browser build uses.
import { register } from "node:module";

register("./resolve_hooks.mjs", import.meta.url);
