export const id = 46;
export const ids = [46];
export const modules = {

/***/ 6046:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  collectDatabase: () => (/* binding */ collectDatabase)
});

// EXTERNAL MODULE: external "node:perf_hooks"
var external_node_perf_hooks_ = __webpack_require__(643);
// EXTERNAL MODULE: ./node_modules/pg/esm/index.mjs
var esm = __webpack_require__(3849);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
;// CONCATENATED MODULE: ./src/db/migration-state.ts


const MIGRATION_TABLES = [
    {
        tool: 'prisma',
        table: '_prisma_migrations',
        applied: 'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
        failed: 'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL ORDER BY migration_name',
        folder: ['prisma', 'migrations'],
    },
    {
        tool: 'dbmate',
        table: 'schema_migrations',
        applied: 'SELECT version AS name FROM schema_migrations ORDER BY version',
        folder: ['db', 'migrations'],
    },
    {
        tool: 'node-pg-migrate',
        table: 'pgmigrations',
        applied: 'SELECT name FROM pgmigrations ORDER BY run_on, name',
        folder: ['migrations'],
    },
];
/** Migration names the repository holds, in the form each tool records them, with their files. */
function repoMigrations(tool, dir) {
    if (!(0,external_node_fs_.existsSync)(dir))
        return [];
    const entries = (0,external_node_fs_.readdirSync)(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    if (tool === 'prisma') {
        return entries
            .filter((e) => e.isDirectory())
            .map((e) => ({ name: e.name, file: (0,external_node_path_.join)(dir, e.name, 'migration.sql') }));
    }
    const files = entries.filter((e) => e.isFile() && /\.(sql|js|cjs|mjs|ts)$/.test(e.name));
    if (tool === 'dbmate')
        return files.map((f) => ({ name: f.name.split('_')[0] ?? f.name, file: (0,external_node_path_.join)(dir, f.name) }));
    return files.map((f) => ({ name: f.name.replace(/\.[^.]+$/, ''), file: (0,external_node_path_.join)(dir, f.name) }));
}
async function names(client, sql) {
    return (await client.query(sql)).rows.map((r) => String(r.name));
}
/** The state of every known migration table the database has, against the repository's folders under `root`. */
async function migrationState(client, root) {
    const present = new Set((await client.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()')).rows.map((r) => r.name));
    const out = [];
    for (const t of MIGRATION_TABLES.filter((t) => present.has(t.table))) {
        const applied = await names(client, t.applied);
        const failed = t.failed ? await names(client, t.failed) : [];
        const known = new Set([...applied, ...failed]);
        const pending = repoMigrations(t.tool, (0,external_node_path_.join)(root, ...t.folder))
            .map((m) => m.name)
            .filter((m) => !known.has(m));
        out.push({ tool: t.tool, table: t.table, applied, failed, pending });
    }
    return out;
}

;// CONCATENATED MODULE: ./src/preflight/collectors/database.ts



/**
 * Reachability, version and latency of the database, and the state of every migration table it has.
 * Connection errors become facts; pg's messages never carry the password.
 */
async function collectDatabase(url, workspace, timeoutMs) {
    const client = new esm/* default.Client */.Ay.Client({
        connectionString: url,
        connectionTimeoutMillis: timeoutMs,
        statement_timeout: timeoutMs,
    });
    client.on('error', () => { });
    try {
        const started = external_node_perf_hooks_.performance.now();
        await client.connect();
        const version = (await client.query('SHOW server_version')).rows[0]?.server_version ?? null;
        const latencyMs = Math.round((external_node_perf_hooks_.performance.now() - started) * 10) / 10;
        const migrations = await migrationState(client, workspace);
        return { reachable: true, serverVersion: version, latencyMs, migrations };
    }
    catch (err) {
        return {
            reachable: false,
            serverVersion: null,
            latencyMs: null,
            error: err.message,
            migrations: [],
        };
    }
    finally {
        await client.end().catch(() => { });
    }
}


/***/ })

};
