import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a,b}from"./chunk-QMX2BILW.js";import"./chunk-YM6WCLUD.js";import"./chunk-2QP7USLC.js";import"./chunk-MYETWC24.js";export{a as createAjv,b as createRuleAjv};
