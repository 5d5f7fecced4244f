import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSlipwayError } from '../lib/index.js';
import { authorize, effectiveRole, type Principal, type Scope } from './scopes.js';

const alice = (scope: Scope, app: string | null = null): Principal => ({ user: 'alice', userId: 2, admin: false, tokenId: 5, scope, app });
const admin = (scope: Scope, app: string | null = null): Principal => ({ user: 'admin', userId: 1, admin: true, tokenId: 1, scope, app });
const roles: Record<string, Scope> = { hello: 'deploy', shop: 'admin' };
const roleOn = (app: string): Scope | undefined => roles[app];

function outcome(p: Principal, scope: Scope, app?: string): string {
  try {
    authorize(p, { scope, app }, roleOn);
    return 'ok';
  } catch (e) {
    assert.ok(isSlipwayError(e));
    return e.code;
  }
}

test('the effective role is the lower of the token scope and the user role; other apps are invisible', () => {
  assert.equal(effectiveRole(alice('admin'), 'hello', roleOn), 'deploy', 'role caps the token');
  assert.equal(effectiveRole(alice('read'), 'shop', roleOn), 'read', 'token caps the role');
  assert.equal(effectiveRole(alice('admin'), 'secret', roleOn), undefined, 'no access, no app');
  assert.equal(effectiveRole(alice('admin', 'hello'), 'shop', roleOn), undefined, 'a token for hello does not see shop');
  assert.equal(effectiveRole(admin('deploy'), 'anything', roleOn), 'deploy');
  assert.equal(effectiveRole(admin('admin', 'hello'), 'shop', roleOn), undefined, 'even an admin token limited to one app');
});

test('authorize: 404 for what cannot be seen, 403 for too little scope', () => {
  assert.equal(outcome(alice('deploy'), 'deploy', 'hello'), 'ok');
  assert.equal(outcome(alice('deploy'), 'admin', 'hello'), 'E_FORBIDDEN');
  assert.equal(outcome(alice('read'), 'deploy', 'hello'), 'E_FORBIDDEN');
  assert.equal(outcome(alice('admin'), 'read', 'secret'), 'E_APP_NOT_FOUND');
  assert.equal(outcome(alice('admin', 'hello'), 'read', 'shop'), 'E_APP_NOT_FOUND');
  // platform-wide: reads for all, the rest only for an unrestricted admin token of an admin user
  assert.equal(outcome(alice('read'), 'read'), 'ok');
  assert.equal(outcome(alice('admin'), 'admin'), 'E_FORBIDDEN');
  assert.equal(outcome(admin('admin'), 'admin'), 'ok');
  assert.equal(outcome(admin('deploy'), 'admin'), 'E_FORBIDDEN');
  assert.equal(outcome(admin('admin', 'hello'), 'admin'), 'E_FORBIDDEN');
});
