/** Which pushed ref deploys: main or master; tags pass without a build; any other branch refuses the push. */
const ZERO = /^0+$/;
const DEPLOY = new Set(['refs/heads/main', 'refs/heads/master']);

export interface RefUpdate {
  oldSha: string;
  newSha: string;
  ref: string;
}

/** Returns the update to deploy, or a refusal message. */
export function pickDeploy(updates: RefUpdate[]): { deploy?: RefUpdate; refusal?: string } {
  let deploy: RefUpdate | undefined;
  for (const u of updates) {
    if (u.ref.startsWith('refs/tags/')) continue;
    if (!DEPLOY.has(u.ref)) {
      const branch = u.ref.replace(/^refs\/heads\//, '');
      return { refusal: `Pushing to ${branch} does not deploy: Slipway builds the main or master branch.\n !     To deploy this branch: git push slipway ${branch}:main` };
    }
    if (ZERO.test(u.newSha)) return { refusal: `Deleting ${u.ref.replace('refs/heads/', '')} is not allowed: it is the deploy branch.` };
    deploy ??= u;
  }
  return { deploy };
}

