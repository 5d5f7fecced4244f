/**
 * Source archives uploaded by `slipway deploy ./dir`: receive, check, extract.
 * The check reads the whole tar before anything is written, so a refused
 * archive leaves no trace; the extraction then re-checks on the filesystem.
 */
import type { Header } from 'tar-stream';
import { forEachEntry } from './archive-read.js';
import { ArchiveChecker, DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits, type ArchiveSummary, type CheckedEntry } from './archive-rules.js';
import { emptyDir, prepareDest, writeEntry } from './archive-write.js';
import { SlipwayError } from '../lib/index.js';

export { DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits, type ArchiveSummary } from './archive-rules.js';
export { receiveUpload } from './archive-upload.js';

/**
 * Reads an uncompressed tar and throws E_ARCHIVE_INVALID / E_ARCHIVE_TOO_LARGE
 * if any entry breaks the rules (paths or links leaving the app directory,
 * devices, writes through symlinks, limits). Writes nothing.
 */
export async function checkArchive(file: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<ArchiveSummary> {
  return (await planArchive(file, limits)).summary;
}

/**
 * Checks the archive, then writes it into dest (an existing empty directory).
 * Files get 0755 or 0644, symlinks and hard links stay links. On any failure
 * dest is emptied again, so callers never see half an app.
 */
export async function extractArchive(file: string, dest: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<ArchiveSummary> {
  const root = await prepareDest(dest);
  const plan = await planArchive(file, limits);
  // The second pass re-applies the rules and must meet the same entries in the
  // same order: the file changing between passes cannot slip anything past.
  const again = new ArchiveChecker(limits);
  let i = 0;
  try {
    await forEachEntry(file, async (header, body) => {
      const entry = again.add(header);
      if (!sameEntry(entry, plan.entries[i++])) throw changed(header);
      await writeEntry(root, entry, body);
    });
    if (i !== plan.entries.length) throw changed(undefined);
  } catch (err) {
    await emptyDir(root);
    throw err;
  }
  return plan.summary;
}

interface Plan {
  summary: ArchiveSummary;
  entries: CheckedEntry[];
}

async function planArchive(file: string, limits: ArchiveLimits): Promise<Plan> {
  const checker = new ArchiveChecker(limits);
  const entries: CheckedEntry[] = [];
  await forEachEntry(file, async (header, body) => {
    body.resume();
    entries.push(checker.add(header));
  });
  return { summary: checker.finish(), entries };
}

function sameEntry(a: CheckedEntry, b: CheckedEntry | undefined): boolean {
  return b !== undefined && a.path === b.path && a.kind === b.kind && a.linkname === b.linkname && a.size === b.size;
}

function changed(header: Header | undefined): SlipwayError {
  const at = header ? ` at ${JSON.stringify(header.name)}` : '';
  return new SlipwayError('E_ARCHIVE_INVALID', `archive changed between check and extraction${at}`, {
    hint: 'upload the archive again',
  });
}
