// The resolve hook registered by resolve_from_here.mjs (module hooks run on their own thread).
const here = new URL("./", import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const bare = !specifier.startsWith(".") && !specifier.startsWith("/") && !specifier.includes(":");
    if (err.code !== "ERR_MODULE_NOT_FOUND" || !bare) throw err;
    return nextResolve(specifier, { ...context, parentURL: here });
  }
}
