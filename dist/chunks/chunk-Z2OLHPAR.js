import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a as d}from"./chunk-5SAOLCHH.js";import{c as g}from"./chunk-KUJIKYJX.js";var c="deploy_gates",m=[`CREATE SCHEMA IF NOT EXISTS ${c}`,`CREATE TABLE IF NOT EXISTS ${c}.migrate_journal (
     run_id text NOT NULL,
     attempt integer NOT NULL,
     backup_id text NOT NULL,
     location text NOT NULL,
     applied_before jsonb NOT NULL,
     at timestamptz NOT NULL DEFAULT now()
   )`,`CREATE TABLE IF NOT EXISTS ${c}.rollback_journal (
     run_id text NOT NULL,
     attempt integer NOT NULL,
     backup_id text NOT NULL,
     state text NOT NULL CHECK (state IN ('restoring', 'restored')),
     safety_backup_id text NOT NULL DEFAULT '',
     rows_written bigint NOT NULL DEFAULT 0,
     at timestamptz NOT NULL DEFAULT now()
   )`,`ALTER TABLE ${c}.rollback_journal ADD COLUMN IF NOT EXISTS safety_backup_location text NOT NULL DEFAULT ''`,`ALTER TABLE ${c}.rollback_journal ADD COLUMN IF NOT EXISTS safety_backup_snapshot jsonb`,`CREATE TABLE IF NOT EXISTS ${c}.infra_journal (
     run_id text NOT NULL,
     attempt integer NOT NULL,
     mode text NOT NULL,
     change text NOT NULL,
     state text NOT NULL CHECK (state IN ('started', 'done')),
     at timestamptz NOT NULL DEFAULT now()
   )`],_=`${c}.infra_journal`,O=`${c}.migrate_journal`,w=`${c}.rollback_journal`;async function x(t){for(let r of m)await t.query(r)}async function A(t,r){let{rows:e}=await t.query("SELECT to_regclass($1) AS t",[r]);return!!e[0]?.t}function T(t){return t.startsWith(`${c}.`)}function y(t){return Object.fromEntries(Object.entries(t).filter(([r])=>!T(r)))}async function L(t,r=15e3){let e=new d.Client({connectionString:g(t),connectionTimeoutMillis:r});e.on("error",()=>{});try{await e.connect()}catch(o){await e.end().catch(()=>{});let n=`database "${t.database}" on ${t.host}:${t.port} as ${t.user}`;throw new Error(`cannot connect to ${n}: ${o.message}`,{cause:o})}return e}async function $(t,r,e=15e3){let o=await L(t,e);try{return await r(o)}finally{await o.end().catch(()=>{})}}async function v(t){let{rows:r}=await t.query("SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n"),e=r[0]??{v:"0",n:"0"};return{version:e.v,major:Math.floor(Number(e.n)/1e4)}}var p=`SELECT table_schema AS s, table_name AS t FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_toast%' AND table_schema <> $1
     ORDER BY 1, 2`;async function P(t){let{rows:r}=await t.query(p,[c]);return r.map(({s:e,t:o})=>`${e}.${o}`)}async function I(t,r=[]){let{rows:e}=await t.query(p,[c]),o={};for(let{s:n,t:i}of e){let s=`${n}.${i}`;if(r.includes(s))continue;let u=`${t.escapeIdentifier(n)}.${t.escapeIdentifier(i)}`,{rows:a}=await t.query(`SELECT count(*) AS n FROM ${u}`);o[s]=Number(a[0]?.n??0)}return o}async function B(t){let{rows:r}=await t.query("SELECT pg_database_size(current_database()) AS n");return Number(r[0]?.n??0)}var N=/^(INPUT_|ACTIONS_|GITHUB_(TOKEN|ENV|PATH|OUTPUT|STATE|STEP_SUMMARY)$)/;function f(t,r){let e={};for(let[o,n]of Object.entries(t))n!==void 0&&!N.test(o)&&(e[o]=n);return{...e,...r}}import{spawn as E}from"node:child_process";var l=class extends Error{constructor(e,o,n){super(`${e} failed (exit ${o??"signal"}): ${n.trim().split(`
`).slice(-3).join(" ")||"no message"}`);this.tool=e;this.code=o;this.stderr=n}tool;code;stderr;name="ToolError"};function b(t,r,e){return E(t,r,{env:e.env,cwd:e.cwd,stdio:e.stdio})}function S(t,r,e){return new Promise((o,n)=>{let i=b(t,r,{env:e.env,cwd:e.cwd,stdio:["ignore","pipe","pipe"]}),s=[],u=[];i.stdout.on("data",a=>{s.push(a),e.onStdout?.(a)}),i.stderr.on("data",a=>{u.push(a),e.onStderr?.(a)}),i.on("error",n),i.on("close",a=>o({exitCode:a,stdout:Buffer.concat(s).toString(),stderr:Buffer.concat(u).toString()}))})}async function M(t,r,e,o){let n=await S(t,r,{env:f(process.env,e),cwd:o});if(n.exitCode===0)return n.stdout;throw new l(t.split("/").pop()??t,n.exitCode,n.stderr)}function H(t){let r=[],e="",o=!1,n=0;for(;n<t.length;){let i=t[n];if(i===" "||i==="	"){o&&r.push(e),e="",o=!1,n++;continue}if(o=!0,i==="'"){let s=t.indexOf("'",n+1);if(s<0)return{ok:!1,problem:`a single quote at column ${n+1} is never closed`};e+=t.slice(n+1,s),n=s+1;continue}if(i==='"'){let s=n+1,u=!1;for(;s<t.length;){let a=t[s];if(a==='"'){u=!0;break}if(a==="\\"&&(t[s+1]==='"'||t[s+1]==="\\")){e+=t[s+1],s+=2;continue}e+=a,s++}if(!u)return{ok:!1,problem:`a double quote at column ${n+1} is never closed`};n=s+1;continue}if(i==="\\"){if(n+1>=t.length)return{ok:!1,problem:"the line ends with a lone backslash"};e+=t[n+1],n+=2;continue}e+=i,n++}return o&&r.push(e),r.length===0?{ok:!1,problem:"the line has no words"}:{ok:!0,words:r}}export{c as a,_ as b,O as c,w as d,x as e,A as f,y as g,L as h,$ as i,v as j,P as k,I as l,B as m,H as n,f as o,l as p,b as q,S as r,M as s};
