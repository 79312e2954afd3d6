import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-TB4MSFX6.js";import"./chunk-MYETWC24.js";export{b as XMLBuilder,a as XMLParser,c as XMLValidator};
