#!/usr/bin/env node
// Reference for tests/anchor: builds @openzeppelin/merkle-tree StandardMerkleTrees.
// stdin: JSON list of jobs {values, encoding, multi?: [valueIndex...], load?: dump}
// stdout: JSON list of {root, proofs, dump, multi, verified} (one per job), or {error} per job.
const path = require('path');
const root = process.env.PROVENANCE_ROOT || path.resolve(__dirname, '..', '..');
const { StandardMerkleTree } = require(require.resolve('@openzeppelin/merkle-tree', { paths: [root] }));

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  const jobs = JSON.parse(input);
  const out = jobs.map((job) => {
    try {
      const tree = job.load ? StandardMerkleTree.load(job.load) : StandardMerkleTree.of(job.values, job.encoding);
      const proofs = [];
      for (let i = 0; i < tree.length; i++) proofs.push(tree.getProof(i));
      const result = { root: tree.root, proofs, dump: tree.dump() };
      if (job.multi) result.multi = tree.getMultiProof(job.multi);
      if (job.verify) {
        result.verified = job.verify.map((v) => StandardMerkleTree.verify(tree.root, tree.leafEncoding, v.value, v.proof));
      }
      return result;
    } catch (e) {
      return { error: String(e.message || e) };
    }
  });
  process.stdout.write(JSON.stringify(out));
});
