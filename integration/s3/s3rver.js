// s3rver (npm @20minutes/s3rver, pinned in integration/package-lock.json) on 127.0.0.1 and a
// free port, for tests and the demo. Usage: node s3rver.js DIR [BUCKET...] → creates the
// buckets, writes DIR/env (S3_ENDPOINT and a fresh key pair) once listening, and DIR/pid;
// runs until killed.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const S3rver = require('@20minutes/s3rver');
const { DUMMY_ACCOUNT } = require('@20minutes/s3rver/lib/models/account');

const dir = path.resolve(process.argv[2]);
fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
const key = 'RAWBACKUPTEST' + crypto.randomBytes(6).toString('hex').toUpperCase();
const secret = crypto.randomBytes(20).toString('hex');
DUMMY_ACCOUNT.revokeAccessKey('S3RVER');  // only our key pair is valid
DUMMY_ACCOUNT.createKeyPair(key, secret);

const server = new S3rver({
  address: '127.0.0.1', port: 0, silent: true, vhostBuckets: false,
  directory: path.join(dir, 'data'),
  configureBuckets: process.argv.slice(3).map((name) => ({ name })),
});
server.run().then(({ port }) => {
  fs.writeFileSync(path.join(dir, 'env'),
    `export S3_ENDPOINT=http://127.0.0.1:${port}\n` +
    `export AWS_ACCESS_KEY_ID=${key}\nexport AWS_SECRET_ACCESS_KEY=${secret}\n`);
  fs.writeFileSync(path.join(dir, 'pid'), String(process.pid));
}, (err) => { console.error(`s3rver: ${err.message}`); process.exit(1); });
