export const id = 23;
export const ids = [23];
export const modules = {

/***/ 77023:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ArtifactStore: () => (/* binding */ ArtifactStore)
});

// UNUSED EXPORTS: ArtifactStoreError

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./node_modules/@actions/artifact/lib/artifact.js + 310 modules
var artifact = __webpack_require__(83405);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
;// CONCATENATED MODULE: ./src/backup/artifact-name.ts
/**
 * Artifact names and the location strings that point at them. GitHub rejects these characters in
 * artifact names (NTFS cannot hold them, and download-artifact makes a folder of the name).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we replace
const FORBIDDEN = /[":<>|*?\\/\u0000-\u001f\u007f]/g;
// A longer name cannot become the folder download-artifact extracts into on most file systems.
const MAX_NAME_LENGTH = 255;
const PREFIX = 'artifact:';
class ArtifactNameError extends Error {
    name = 'ArtifactNameError';
}
/** The artifact name for backup `id`: forbidden characters become '-', outer blanks and dots go. */
function artifactName(id) {
    const name = id.replace(FORBIDDEN, '-').replace(/^[\s.]+|[\s.]+$/g, '');
    if (name === '') {
        throw new ArtifactNameError(`Backup id "${id}" leaves no usable artifact name once the characters GitHub forbids ` +
            '(" : < > | * ? \\ / and control characters) are removed; use letters, digits, "-", "_" or ".".');
    }
    if (name.length > MAX_NAME_LENGTH) {
        throw new ArtifactNameError(`Backup id "${id.slice(0, 40)}…" gives an artifact name of ${name.length} characters; ` +
            `at most ${MAX_NAME_LENGTH} fit in a folder name. Use a shorter backup id.`);
    }
    return name;
}
/** `artifact:<run id>/<name>`: '/' cannot occur in a name, so the split is unambiguous. */
function formatArtifactLocation({ runId, name }) {
    return runId ? `${PREFIX}${runId}/${name}` : `${PREFIX}${name}`;
}
/** Whether a location names an artifact backup (as opposed to a path store's). */
const isArtifactLocation = (location) => location.startsWith(PREFIX);
function parseArtifactLocation(location) {
    const rest = location.startsWith(PREFIX) ? location.slice(PREFIX.length) : undefined;
    const match = rest === undefined ? null : /^(?:(\d+)\/)?([^/]+)$/.exec(rest);
    if (!match?.[2] || match[2] !== match[2].replace(FORBIDDEN, '-')) {
        throw new ArtifactNameError(`"${location}" is not an artifact backup location; expected artifact:<run id>/<name> ` +
            '(the location the backup step wrote as its output).');
    }
    return match[1] ? { runId: match[1], name: match[2] } : { name: match[2] };
}

;// CONCATENATED MODULE: ./src/backup/library-env.ts
/** Everything the library reads at call time. */
const LIBRARY_ENV = [
    'ACTIONS_RUNTIME_TOKEN',
    'ACTIONS_RESULTS_URL',
    'GITHUB_SERVER_URL',
    'GITHUB_RETENTION_DAYS',
    'GITHUB_WORKSPACE',
    'ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY',
    'ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS',
];
let queue = Promise.resolve();
function withLibraryEnv(env, fn) {
    if (env === process.env)
        return fn();
    const run = async () => {
        const saved = LIBRARY_ENV.map((key) => [key, process.env[key]]);
        for (const key of LIBRARY_ENV)
            setVar(key, env[key]);
        try {
            return await fn();
        }
        finally {
            for (const [key, value] of saved)
                setVar(key, value);
        }
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
}
function setVar(key, value) {
    if (value === undefined)
        delete process.env[key];
    else
        process.env[key] = value;
}

;// CONCATENATED MODULE: ./src/backup/artifact-store.ts
/**
 * Backups kept as GitHub Actions artifacts, through @actions/artifact. Jobs of the same run read
 * them with the runner's own credentials (ACTIONS_RUNTIME_TOKEN); another run, or a re-run attempt
 * (the internal service only sees the current attempt's artifacts), needs a token with actions: read.
 */






class ArtifactStoreError extends Error {
    name = 'ArtifactStoreError';
}
const RUNTIME_HINT = 'The runner gives ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL to JavaScript actions (`uses:` steps) only, ' +
    'not to `run:` scripts; on GitHub Enterprise Server use a path store instead.';
class ArtifactStore {
    kind = 'artifact';
    #client = new artifact/* DefaultArtifactClient */.t9();
    #options;
    #env;
    constructor(options = {}) {
        const { retentionDays, compressionLevel } = options;
        if (retentionDays !== undefined &&
            !(Number.isInteger(retentionDays) && retentionDays >= 1 && retentionDays <= 90))
            throw new ArtifactStoreError(`retentionDays must be a whole number from 1 to 90, not ${retentionDays}`);
        if (compressionLevel !== undefined &&
            !(Number.isInteger(compressionLevel) && compressionLevel >= 0 && compressionLevel <= 9))
            throw new ArtifactStoreError(`compressionLevel must be a whole number from 0 to 9, not ${compressionLevel}`);
        this.#options = options;
        this.#env = options.env ?? process.env;
    }
    async put(id, dir) {
        const name = artifactName(id);
        const root = (0,external_node_path_.resolve)(dir);
        const files = await listFiles(root);
        this.#requireRuntime(`store backup "${id}"`);
        return withLibraryEnv(this.#env, async () => {
            if (this.#options.overwrite)
                await this.#deleteIfPresent(name);
            try {
                const uploaded = await this.#client.uploadArtifact(name, files, root, {
                    retentionDays: this.#options.retentionDays,
                    compressionLevel: this.#options.compressionLevel ?? 0,
                });
                const location = formatArtifactLocation({ runId: this.#env.GITHUB_RUN_ID, name });
                const digest = uploaded.digest ? `sha256:${uploaded.digest}` : undefined;
                return { location, artifactId: uploaded.id, size: uploaded.size, digest };
            }
            catch (err) {
                throw new ArtifactStoreError(`Could not store backup "${id}" as artifact "${name}": ${explain(err, name)}`);
            }
        });
    }
    async get(location, dir) {
        const { runId } = parseArtifactLocation(location);
        const here = this.#env.GITHUB_RUN_ID;
        const { token } = this.#options;
        await (0,promises_.mkdir)(dir, { recursive: true });
        if (runId === undefined || runId === here) {
            if (!token)
                this.#requireRuntime(`read backup ${location}`);
            if (this.#env.ACTIONS_RUNTIME_TOKEN && this.#env.ACTIONS_RESULTS_URL) {
                try {
                    return await withLibraryEnv(this.#env, () => this.#download(location, dir));
                }
                catch (err) {
                    if (!token || !isNotFound(err))
                        throw this.#readError(location, err, runId ?? here);
                }
            }
        }
        else if (!token) {
            throw new ArtifactStoreError(`Backup ${location} was stored by workflow run ${runId}, and this is run ${here ?? '(unknown)'}: ` +
                "reading another run's artifacts needs a token with actions: read (pass github-token).");
        }
        const findBy = this.#findBy(token ?? '', runId ?? here);
        try {
            await withLibraryEnv(this.#env, () => this.#download(location, dir, findBy));
        }
        catch (err) {
            throw this.#readError(location, err, `${findBy.findBy?.workflowRunId} of ${this.#env.GITHUB_REPOSITORY}`);
        }
    }
    /** Extracts into a staging folder first, so a corrupt download never leaves files in `dir`. */
    async #download(location, dir, find = {}) {
        const { name } = parseArtifactLocation(location);
        const staging = await (0,promises_.mkdtemp)((0,external_node_path_.join)(dir, '.artifact-download-'));
        try {
            const { artifact } = await this.#client.getArtifact(name, find);
            const { digestMismatch } = await this.#client.downloadArtifact(artifact.id, {
                ...find,
                path: staging,
                expectedHash: artifact.digest,
            });
            if (digestMismatch) {
                throw new ArtifactStoreError(`Backup ${location} is corrupt: the downloaded zip of artifact "${name}" (id ${artifact.id}) ` +
                    `does not match the digest recorded at upload, ${artifact.digest}`);
            }
            for (const entry of await (0,promises_.readdir)(staging)) {
                await (0,promises_.rm)((0,external_node_path_.join)(dir, entry), { recursive: true, force: true });
                await (0,promises_.rename)((0,external_node_path_.join)(staging, entry), (0,external_node_path_.join)(dir, entry));
            }
        }
        finally {
            await (0,promises_.rm)(staging, { recursive: true, force: true });
        }
    }
    async #deleteIfPresent(name) {
        try {
            await this.#client.getArtifact(name);
        }
        catch (err) {
            if (isNotFound(err))
                return;
            throw err;
        }
        await this.#client.deleteArtifact(name);
    }
    #findBy(token, runId) {
        const [owner, repo] = (this.#env.GITHUB_REPOSITORY ?? '').split('/');
        const workflowRunId = Number(runId);
        if (!owner || !repo || !Number.isSafeInteger(workflowRunId)) {
            throw new ArtifactStoreError(`Reading a backup through the GitHub API needs GITHUB_REPOSITORY (owner/name) and a numeric run id; ` +
                `got "${this.#env.GITHUB_REPOSITORY ?? ''}" and "${runId ?? ''}"`);
        }
        return { findBy: { token, workflowRunId, repositoryOwner: owner, repositoryName: repo } };
    }
    #requireRuntime(what) {
        const missing = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'].filter((key) => !this.#env[key]);
        if (missing.length > 0) {
            throw new ArtifactStoreError(`Cannot ${what} as a GitHub Actions artifact: ${missing.join(' and ')} unset. ${RUNTIME_HINT}`);
        }
    }
    #readError(location, err, where) {
        if (err instanceof ArtifactStoreError)
            return err;
        const { name } = parseArtifactLocation(location);
        if (isNotFound(err)) {
            const attempt = this.#env.GITHUB_RUN_ATTEMPT ?? '1';
            const hint = this.#options.token
                ? 'It may have expired (retention-days) or been deleted.'
                : `It may have expired (retention-days), been deleted, or been stored by an earlier attempt than this one (${attempt}): ` +
                    'earlier attempts can only be read with a token that has actions: read (pass github-token).';
            return new ArtifactStoreError(`No artifact named "${name}" in workflow run ${where ?? '(unknown)'}. ${hint}`);
        }
        return new ArtifactStoreError(`Could not read backup ${location}: ${explain(err, name)}`);
    }
}
/** Every file under root (symlinks included: the library follows them), absolute paths. */
async function listFiles(root) {
    let entries;
    try {
        entries = await (0,promises_.readdir)(root, { recursive: true, withFileTypes: true });
    }
    catch (err) {
        throw new ArtifactStoreError(`Backup folder ${root} cannot be read: ${(0,errors/* errorMessage */.g)(err)}`);
    }
    const files = entries
        .filter((e) => e.isFile() || e.isSymbolicLink())
        .map((e) => (0,external_node_path_.join)(e.parentPath, e.name))
        .sort();
    if (files.length === 0)
        throw new ArtifactStoreError(`Backup folder ${root} holds no files to store`);
    return files;
}
function isNotFound(err) {
    return (err instanceof Error && err.name === 'ArtifactNotFoundError') || /\(404\)/.test((0,errors/* errorMessage */.g)(err));
}
/** The library's messages name HTTP codes and retries; say what they mean for a backup. */
function explain(err, name) {
    const status = err instanceof Error ? err.statusCode : undefined;
    // Blob storage errors (RestError) carry a request id and time after the first line.
    const message = typeof status === 'number'
        ? `blob storage answered HTTP ${status}: ${(0,errors/* errorMessage */.g)(err).split('\n')[0]}`
        : (0,errors/* errorMessage */.g)(err);
    if (err instanceof Error && err.name === 'GHESNotSupportedError')
        return `${message} Use a path store on GHES.`;
    if (/\(409\)/.test(message)) {
        return (`an artifact named "${name}" already exists in this run attempt, and artifacts cannot be changed. ` +
            `Use a new backup id, or overwrite it (${message})`);
    }
    if (/\(40[13]\)/.test(message))
        return `the artifact service refused the runner's credentials (${message})`;
    if (/after \d+ attempts|retries/.test(message))
        return `the artifact service kept failing: ${message}`;
    return message;
}


/***/ })

};
