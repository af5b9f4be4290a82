// Checks our credentials the way an outside verifier does, with Digital
// Bazaar's Verifiable Credentials libraries (an implementation independent
// of ours), and prints the results as JSON on stdout.
//
// Run by interop_test.go as `node verify.mjs input.json`, from the folder
// where the pinned packages are installed. input.json:
//
//   {
//     "now": "<date-time the credentials are checked at>",
//     "contexts": {"<url>": <JSON-LD context>, ...},
//     "scenarios": [{
//       "documents": {"<url>": <issuer profile or status list credential>, ...},
//       "cases": [{"name": "...", "credential": <credential>}, ...]
//     }, ...]
//   }
//
// Output: one result per case, in order:
//   {"name", "verified", "statusVerified", "revoked", "errors": [...]}
//
// Nothing is fetched: the document loader serves only what input.json
// holds (jsonld-signatures adds the security contexts it ships), and any
// other URL is an error.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function documentLoader(documents) {
  const docs = new Map(Object.entries({...input.contexts, ...documents}));
  const found = (url, document) =>
    ({contextUrl: null, documentUrl: url, document: structuredClone(document)});
  return async url => {
    if(docs.has(url)) {
      return found(url, docs.get(url));
    }
    // A key id such as <profile>#key-1 names a node of the controller
    // document, as dereferencing a fragment does.
    const hash = url.indexOf('#');
    if(hash > 0 && docs.has(url.slice(0, hash))) {
      const controller = docs.get(url.slice(0, hash));
      const node = [].concat(controller.verificationMethod ?? [])
        .find(vm => vm.id === url);
      if(node) {
        return found(url, node);
      }
    }
    throw new Error(`document loader: ${url} is not available offline`);
  };
}

function messages(...errors) {
  const out = [];
  const walk = e => {
    if(!e) {
      return;
    }
    if(Array.isArray(e)) {
      e.forEach(walk);
      return;
    }
    out.push(e.message ?? String(e));
    walk(e.errors);
    walk(e.cause);
  };
  errors.forEach(walk);
  return [...new Set(out)];
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const results = [];
for(const scenario of input.scenarios) {
  const loader = documentLoader(scenario.documents);
  for(const {name, credential} of scenario.cases) {
    const res = await vc.verifyCredential({
      credential,
      suite,
      documentLoader: loader,
      now: new Date(input.now),
      // The bitstring checker also verifies the status list credential's
      // own proof and that its issuer is the credential's.
      checkStatus: options => checkStatus({
        ...options,
        verifyBitstringStatusListCredential: true,
        verifyMatchingIssuers: true
      })
    });
    results.push({
      name,
      verified: res.verified,
      statusVerified: res.statusResult?.verified ?? null,
      revoked: res.statusResult?.results?.[0]?.status ?? null,
      errors: messages(
        res.error, ...(res.results ?? []).map(r => r.error),
        res.statusResult?.error,
        ...(res.statusResult?.results ?? []).map(r => r.error))
    });
  }
}
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
