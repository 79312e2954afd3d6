import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{mkdir as t,writeFile as e}from"node:fs/promises";import{dirname as o}from"node:path";async function a(r,i){await t(o(r),{recursive:!0}),await e(r,i)}export{a};
