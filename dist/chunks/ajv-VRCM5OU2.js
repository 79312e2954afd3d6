import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a,b}from"./chunk-22MKVOEM.js";import"./chunk-BEAW2U32.js";import"./chunk-MYETWC24.js";export{a as createAjv,b as createRuleAjv};
