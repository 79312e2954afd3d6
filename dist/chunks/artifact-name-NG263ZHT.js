import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-B5U675SD.js";import"./chunk-MYETWC24.js";export{a as ArtifactNameError,b as artifactName,c as formatArtifactLocation,d as isArtifactLocation,e as parseArtifactLocation};
