import{createRequire as __dgCreateRequire}from'node:module';const require=__dgCreateRequire(import.meta.url);
import{a as c}from"./chunk-5SAOLCHH.js";import{c as E}from"./chunk-TAYE6FEA.js";var r="deploy_gates",N=[`CREATE SCHEMA IF NOT EXISTS ${r}`,`CREATE TABLE IF NOT EXISTS ${r}.migrate_journal (
     run_id text NOT NULL,
     attempt integer NOT NULL,
     backup_id text NOT NULL,
     location text NOT NULL,
     applied_before jsonb NOT NULL,
     at timestamptz NOT NULL DEFAULT now()
   )`,`CREATE TABLE IF NOT EXISTS ${r}.rollback_journal (
     run_id text NOT NULL,
     attempt integer NOT NULL,
     backup_id text NOT NULL,
     state text NOT NULL CHECK (state IN ('restoring', 'restored')),
     safety_backup_id text NOT NULL DEFAULT '',
     rows_written bigint NOT NULL DEFAULT 0,
     at timestamptz NOT NULL DEFAULT now()
   )`,`ALTER TABLE ${r}.rollback_journal ADD COLUMN IF NOT EXISTS safety_backup_location text NOT NULL DEFAULT ''`,`ALTER TABLE ${r}.rollback_journal ADD COLUMN IF NOT EXISTS safety_backup_snapshot jsonb`,`CREATE TABLE IF NOT EXISTS ${r}.infra_journal (
     run_id text NOT NULL,
     attempt integer NOT NULL,
     mode text NOT NULL,
     change text NOT NULL,
     state text NOT NULL CHECK (state IN ('started', 'done')),
     at timestamptz NOT NULL DEFAULT now()
   )`],g=`${r}.infra_journal`,_=`${r}.migrate_journal`,O=`${r}.rollback_journal`;async function A(t){for(let n of N)await t.query(n)}async function b(t,n){let{rows:e}=await t.query("SELECT to_regclass($1) AS t",[n]);return!!e[0]?.t}function m(t){return t.startsWith(`${r}.`)}function S(t){return Object.fromEntries(Object.entries(t).filter(([n])=>!m(n)))}async function l(t,n=15e3){let e=new c.Client({connectionString:E(t),connectionTimeoutMillis:n});e.on("error",()=>{});try{await e.connect()}catch(o){await e.end().catch(()=>{});let a=`database "${t.database}" on ${t.host}:${t.port} as ${t.user}`;throw new Error(`cannot connect to ${a}: ${o.message}`,{cause:o})}return e}async function y(t,n,e=15e3){let o=await l(t,e);try{return await n(o)}finally{await o.end().catch(()=>{})}}async function d(t){let{rows:n}=await t.query("SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n"),e=n[0]??{v:"0",n:"0"};return{version:e.v,major:Math.floor(Number(e.n)/1e4)}}var p=`SELECT table_schema AS s, table_name AS t FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg_toast%' AND table_schema <> $1
     ORDER BY 1, 2`;async function U(t){let{rows:n}=await t.query(p,[r]);return n.map(({s:e,t:o})=>`${e}.${o}`)}async function x(t,n=[]){let{rows:e}=await t.query(p,[r]),o={};for(let{s:a,t:s}of e){let i=`${a}.${s}`;if(n.includes(i))continue;let L=`${t.escapeIdentifier(a)}.${t.escapeIdentifier(s)}`,{rows:T}=await t.query(`SELECT count(*) AS n FROM ${L}`);o[i]=Number(T[0]?.n??0)}return o}async function I(t){let{rows:n}=await t.query("SELECT pg_database_size(current_database()) AS n");return Number(n[0]?.n??0)}var u="nspname NOT IN ('pg_catalog', 'information_schema', $1) AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp%'";async function $(t){let{rows:n}=await t.query(`WITH own AS (SELECT oid, nspname FROM pg_namespace WHERE ${u})
     SELECT (SELECT count(*) FROM pg_class WHERE relnamespace IN (SELECT oid FROM own))
          + (SELECT count(*) FROM pg_proc WHERE pronamespace IN (SELECT oid FROM own))
          + (SELECT count(*) FROM pg_type WHERE typnamespace IN (SELECT oid FROM own) AND typtype IN ('e', 'd', 'r', 'm'))
          + (SELECT count(*) FROM own WHERE nspname <> 'public')
          + (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql') AS n`,[r]);return Number(n[0]?.n??0)}async function F(t){let{rows:n}=await t.query(`SELECT nspname AS s FROM pg_namespace WHERE ${u} ORDER BY 1`,[r]);return n.map(e=>e.s)}export{r as a,g as b,_ as c,O as d,A as e,b as f,S as g,l as h,y as i,d as j,U as k,x as l,I as m,$ as n,F as o};
