import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{createHash as t}from"node:crypto";function a(r){return t("sha256").update(r).digest("hex")}export{a};
