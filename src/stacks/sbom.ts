import { createHash } from 'node:crypto';
import type { InstalledPackage } from './dpkg-status.js';

export type SbomFormat = 'spdx' | 'cyclonedx';

export interface SbomSubject {
  /** What the document describes: a stack id or `APP v3`. */
  name: string;
  created: string;
  /** Debian release the packages come from, e.g. `debian-12`, for package URLs. */
  distro: string;
  debs: readonly InstalledPackage[];
  /** Language dependencies (npm/pypi/cpan), as package URLs with name and version. */
  others?: readonly { type: 'npm' | 'pypi' | 'cpan'; name: string; version: string }[];
}

/** purl of a Debian binary package (version escaped: epochs carry a colon). */
export function debPurl(p: InstalledPackage, distro: string): string {
  return `pkg:deb/debian/${encodeURIComponent(p.name)}@${encodeURIComponent(p.version)}?arch=${p.architecture}&distro=${distro}`;
}

function otherPurl(o: { type: string; name: string; version: string }): string {
  const name = o.name.startsWith('@') ? `%40${o.name.slice(1)}` : encodeURIComponent(o.name);
  return `pkg:${o.type}/${name}@${encodeURIComponent(o.version)}`;
}

/** SPDX 2.3 JSON, one package per Debian binary package and dependency. */
export function spdxDocument(s: SbomSubject, tool: string): object {
  const ns = createHash('sha256').update(`${s.name}\n${s.created}`).digest('hex').slice(0, 32);
  const id = (kind: string, name: string, version: string) => `SPDXRef-${kind}-${`${name}-${version}`.replace(/[^A-Za-z0-9.-]/g, '-')}`;
  const debs = s.debs.map((p) => ({
    name: p.name,
    SPDXID: id('deb', p.name, p.version),
    versionInfo: p.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    sourceInfo: `built from Debian source package ${p.source} ${p.sourceVersion}`,
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: debPurl(p, s.distro) }],
  }));
  const others = (s.others ?? []).map((o) => ({
    name: o.name,
    SPDXID: id(o.type, o.name, o.version),
    versionInfo: o.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: otherPurl(o) }],
  }));
  const packages = [...debs, ...others];
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: s.name,
    documentNamespace: `https://slipway.invalid/spdx/${ns}`,
    creationInfo: { created: s.created, creators: [`Tool: ${tool}`] },
    packages,
    relationships: packages.map((p) => ({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: p.SPDXID })),
  };
}

/** CycloneDX 1.5 JSON. */
export function cycloneDxDocument(s: SbomSubject, tool: string): object {
  const h = createHash('sha256').update(`${s.name}\n${s.created}`).digest('hex');
  const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${uuid}`,
    version: 1,
    metadata: { timestamp: s.created, tools: [{ name: tool }], component: { type: 'container', name: s.name } },
    components: [
      ...s.debs.map((p) => ({
        type: 'library',
        name: p.name,
        version: p.version,
        purl: debPurl(p, s.distro),
        'bom-ref': debPurl(p, s.distro),
        properties: [
          { name: 'debian:source', value: p.source },
          { name: 'debian:source_version', value: p.sourceVersion },
        ],
      })),
      ...(s.others ?? []).map((o) => ({ type: 'library', name: o.name, version: o.version, purl: otherPurl(o), 'bom-ref': otherPurl(o) })),
    ],
  };
}
