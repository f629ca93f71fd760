// Batch DKIM verifier for dkim/oracle_test.go: mailauth (npm), found
// through NODE_PATH. Same protocol as dkimpy.py: a first JSON line of keys,
// then one JSON line per message in, one JSON line per message out. Output
// lines start with {"id": mailauth itself may print other lines (it logs l=
// mismatches with console.log). The resolver answers from the keys: no
// network.
'use strict';
const readline = require('readline');
const { dkimVerify } = require('mailauth/lib/dkim/verify');

async function main() {
    const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    let keys = null;
    for await (const line of rl) {
        if (keys === null) {
            keys = {};
            for (const [k, v] of Object.entries(JSON.parse(line).keys)) {
                keys[k.toLowerCase()] = v;
            }
            continue;
        }
        const req = JSON.parse(line);
        const resolver = async (name, rr) => {
            const txt = keys[name.toLowerCase().replace(/\.$/, '')];
            if (rr !== 'TXT' || txt === undefined) {
                const err = new Error('NXDOMAIN');
                err.code = 'ENOTFOUND';
                throw err;
            }
            const chunks = [];
            for (let i = 0; i < txt.length; i += 255) chunks.push(txt.slice(i, i + 255));
            return [chunks.length ? chunks : ['']];
        };
        const sigs = [];
        try {
            const res = await dkimVerify(Buffer.from(req.msg, 'base64'), { resolver, curTime: new Date(Date.UTC(2016, 2, 2)) });
            for (const r of res.results) {
                if (r.status && r.status.result === 'none') continue; // no signature at all
                sigs.push({
                    d: r.signingDomain || '',
                    s: r.selector || '',
                    r: r.status.result === 'pass' ? 'pass' : 'fail',
                    why: (r.status.result || '') + ' ' + (r.status.comment || ''),
                });
            }
        } catch (e) {
            sigs.push({ d: '', s: '', r: 'fail', why: 'error: ' + e.message });
        }
        process.stdout.write(JSON.stringify({ id: req.id, sigs }) + '\n');
    }
}
main();
