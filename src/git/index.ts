/** App git repositories: bare repos, the smart-HTTP bridge to `git http-backend`, and the pre-receive hook that builds. */
export { ensureRepo, repoPath, HOOKS_DIR } from './repos.js';
export { serveGit, type GitRequest, type HookEnv } from './http-backend.js';
export { pickDeploy, type RefUpdate } from './refs.js';
