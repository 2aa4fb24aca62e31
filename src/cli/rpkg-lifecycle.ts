/**
 * `lading rpkg propose|approve|reject|propose-delete|del NAME…`: move package revisions through
 * their lifecycle as porchctl does. Draft↔Proposed and Published↔DeletionProposed are updates of the
 * PackageRevision; approving (and rejecting a proposal) goes through the `approval` subresource.
 * Every name is tried; failures are reported together as one line.
 */
import type { Command } from 'commander';
import { BadRequestError } from '../apimachinery/index.js';
import { createKubeClient, kubeOptions, type KubeClient, type KubeFlags } from './kube-client.js';
import { getRevision, revisionPath, type SetExit } from './rpkg-objects.js';

type Verb = 'propose' | 'approve' | 'reject' | 'propose-delete' | 'del';

/** One step: the next lifecycle and whether it goes through `/approval`; undefined when done already. */
interface Step {
  lifecycle: string;
  approval: boolean;
  done: string;
}

export function registerRpkgLifecycle(rpkg: Command, setExit: SetExit): void {
  const verbs: { verb: Verb; aliases: string[]; description: string }[] = [
    { verb: 'propose', aliases: [], description: 'Propose Drafts for approval' },
    { verb: 'approve', aliases: [], description: 'Approve proposed revisions (publish them)' },
    {
      verb: 'reject',
      aliases: [],
      description: 'Reject proposals (Proposed → Draft) or deletion proposals (→ Published)',
    },
    {
      verb: 'propose-delete',
      aliases: ['propose-del'],
      description: 'Propose published revisions for deletion',
    },
    { verb: 'del', aliases: ['delete'], description: 'Delete package revisions' },
  ];
  for (const { verb, aliases, description } of verbs) {
    kubeOptions(
      rpkg
        .command(verb)
        .aliases(aliases)
        .argument('<names...>', 'PackageRevision names')
        .description(description),
    ).action((names: string[], flags: KubeFlags) => setExit(run(verb, names, flags)));
  }
}

/** What `verb` does to a revision in `lifecycle`; throws when it cannot. */
export function lifecycleStep(verb: Exclude<Verb, 'del'>, name: string, lifecycle: string): Step {
  switch (verb) {
    case 'propose':
      if (lifecycle === 'Draft') return { lifecycle: 'Proposed', approval: false, done: 'proposed' };
      throw new BadRequestError(`cannot propose ${name}: it is ${lifecycle}, not Draft`);
    case 'approve':
      if (lifecycle === 'Proposed') return { lifecycle: 'Published', approval: true, done: 'approved' };
      throw new BadRequestError(`cannot approve ${name}: it is ${lifecycle}, not Proposed`);
    case 'reject':
      if (lifecycle === 'Proposed') return { lifecycle: 'Draft', approval: true, done: 'rejected' };
      if (lifecycle === 'DeletionProposed') {
        return { lifecycle: 'Published', approval: true, done: 'rejected' };
      }
      throw new BadRequestError(
        `cannot reject ${name}: it is ${lifecycle}, not Proposed or DeletionProposed`,
      );
    case 'propose-delete':
      if (lifecycle === 'Published') {
        return { lifecycle: 'DeletionProposed', approval: false, done: 'proposed for deletion' };
      }
      throw new BadRequestError(`cannot propose ${name} for deletion: it is ${lifecycle}, not Published`);
  }
}

async function one(client: KubeClient, verb: Verb, name: string): Promise<string> {
  if (verb === 'del') {
    await client.request('DELETE', revisionPath(client, name));
    return 'deleted';
  }
  const revision = await getRevision(client, name);
  const step = lifecycleStep(verb, name, revision.spec.lifecycle ?? 'Draft');
  const path = revisionPath(client, name) + (step.approval ? '/approval' : '');
  await client.request('PUT', path, {
    body: { ...revision, spec: { ...revision.spec, lifecycle: step.lifecycle } },
  });
  return step.done;
}

async function run(verb: Verb, names: string[], flags: KubeFlags): Promise<number> {
  const client = await createKubeClient(flags);
  const errors: string[] = [];
  for (const name of names) {
    try {
      process.stdout.write(`${name} ${await one(client, verb, name)}\n`);
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (errors.length > 0) throw new BadRequestError(errors.join('; '));
  return 0;
}
