import { describe, expect, it } from 'vitest';
import { parseKubefile } from './kubefile.js';

describe('Kubefile', () => {
  it('parses sealer’s example with every app form', () => {
    const k = parseKubefile(
      [
        '# comment',
        'ARG Version=1',
        'FROM --platform=linux/amd64 docker.io/sealerio/kubernetes:v1-22-15-sealerio-2',
        'LABEL app.alpha.sealer.io/supported-kube-version="1.22 - 1.24" owner=me',
        'ENV A=1 B="two words"',
        'COPY imageList manifests',
        'APP mysql https://charts/mysql.tgz',
        'APP redis local://redis.yaml \\',
        '    local://redis-svc.yaml',
        'APPCMDS redis ["kubectl apply -f redis.yaml"]',
        'APPENV redis PORT=6379',
        'LAUNCH ["mysql", "redis"]',
      ].join('\n'),
    );
    expect(k.from).toEqual({
      image: 'docker.io/sealerio/kubernetes:v1-22-15-sealerio-2',
      platform: 'linux/amd64',
    });
    expect(k.instructions.map((i) => `${i.op}@${i.line}`)).toEqual([
      'ARG@2',
      'FROM@3',
      'LABEL@4',
      'ENV@5',
      'COPY@6',
      'APP@7',
      'APP@8',
      'APPCMDS@10',
      'APPENV@11',
      'LAUNCH@12',
    ]);
    expect(k.instructions[2]).toMatchObject({
      values: { 'app.alpha.sealer.io/supported-kube-version': '1.22 - 1.24', owner: 'me' },
    });
    expect(k.instructions[3]).toMatchObject({ values: { A: '1', B: 'two words' } });
    expect(k.instructions[6]).toMatchObject({
      name: 'redis',
      sources: ['local://redis.yaml', 'local://redis-svc.yaml'],
    });
  });

  it.each([
    {
      name: 'unknown instruction',
      text: 'FROM scratch\nVOLUME /x',
      want: /^Kubefile:2: command VOLUME is not supported$/,
    },
    {
      name: 'no FROM first',
      text: 'APP a local://a.yaml',
      want: /^Kubefile:1: FROM must be the first instruction$/,
    },
    {
      name: 'LAUNCH not last',
      text: 'FROM scratch\nAPP a local://a.yaml\nLAUNCH ["a"]\nENV A=1',
      want: /^Kubefile:4: LAUNCH \(line 3\) must be the last instruction$/,
    },
    {
      name: 'LAUNCH of an unknown app',
      text: 'FROM scratch\nLAUNCH ["nope"]',
      want: /^Kubefile:2: LAUNCH: app "nope" is not defined by an APP$/,
    },
    {
      name: 'LAUNCH and CMDS',
      text: 'FROM scratch\nCMD echo\nLAUNCH []',
      want: /^Kubefile:3: LAUNCH cannot be combined/,
    },
    {
      name: 'CMDS not JSON',
      text: 'FROM scratch\nCMDS kubectl apply',
      want: /^Kubefile:2: CMDS must be a JSON array of strings/,
    },
    {
      name: 'APP without scheme',
      text: 'FROM scratch\nAPP a ./a.yaml',
      want: /^Kubefile:2: APP source "\.\/a\.yaml" must start with local:\/\//,
    },
    { name: 'FROM flag', text: 'FROM --squash scratch', want: /^Kubefile:1: FROM accepts only --platform/ },
    { name: 'two FROMs', text: 'FROM scratch\nFROM scratch', want: /^Kubefile:2: only one FROM is allowed$/ },
    {
      name: 'APPCMDS before APP',
      text: 'FROM scratch\nAPPCMDS a ["x"]',
      want: /^Kubefile:2: APPCMDS: app "a" is not defined/,
    },
    { name: 'bad ENV', text: 'FROM scratch\nENV A=1 B', want: /^Kubefile:2: ENV expects KEY=VALUE pairs/ },
    { name: 'empty', text: '# nothing\n', want: /no FROM instruction/ },
  ])('refuses $name', ({ text, want }) => expect(() => parseKubefile(text)).toThrow(want));
});
