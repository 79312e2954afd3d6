import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a,b}from"./chunk-P22JDPK4.js";import"./chunk-F2VV7UAJ.js";import"./chunk-WIP24SRV.js";import"./chunk-MYETWC24.js";export{a as ArtifactDigestError,b as downloadArtifactInto};
