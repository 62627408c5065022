// In-page verification of a transaction's inclusion in its block (RFC 6962 / RFC 9162).
//
// The page fetches /proof/{tx_id}.json from this node and trusts none of it: it
// recomputes every hash itself with WebCrypto (crypto.subtle, available on 127.0.0.1 and
// localhost as secure contexts) and shows "verified" only if all steps hold:
//   1. tx_id    = SHA-256(JCS(envelope without signature))
//   2. leaf     = SHA-256(0x00 || JCS(envelope))            equals the proof's leaf hash
//   3. the audit path leads from the leaf to the block header's tx_root (RFC 9162 2.1.3.2)
//   4. block hash = SHA-256(JCS(header)), and the header is the proof's block
//   5. results_hash = SHA-256(JCS([[tx_id, status, code], ...])): the status is committed
//   6. the orderer's Ed25519 signature over "steeltrace:block:v1" 0x00 JCS(header),
//      with the orderer key of the genesis configuration (skipped if the browser lacks
//      Ed25519 in WebCrypto; the page says so)
// When the node withholds the envelope from this user ("withheld": true: a private
// record's transaction, or a proposal whose price only its parties see), steps 1 and 2
// cannot be done: steps 3-6 start from the node's leaf hash and the verdict is
// "partly verified" (included in a signed block with that status; content not checked).
(function () {
  "use strict";
  const enc = new TextEncoder();

  // RFC 8785: ECMAScript number and string serialisation, keys sorted by UTF-16 units.
  function jcs(v) {
    if (v === null || typeof v === "boolean") return JSON.stringify(v);
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new Error("JCS: non-finite number");
      return JSON.stringify(v);
    }
    if (typeof v === "string") return JSON.stringify(v);
    if (Array.isArray(v)) return "[" + v.map(jcs).join(",") + "]";
    const keys = Object.keys(v).sort();
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + jcs(v[k])).join(",") + "}";
  }

  function hex(buf) {
    return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function unhex(s) {
    if (typeof s !== "string" || s.length % 2 || /[^0-9a-f]/i.test(s)) throw new Error("bad hex");
    const out = new Uint8Array(s.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
    return out;
  }
  function concat(...parts) {
    const n = parts.reduce((a, p) => a + p.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }
  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }
  const LEAF = new Uint8Array([0]);
  const NODE = new Uint8Array([1]);
  const nodeHash = (l, r) => sha256(concat(NODE, l, r));

  async function rootFromPath(index, size, leaf, path) {
    if (!(index >= 0 && index < size)) throw new Error("leaf index outside the tree");
    let fn = index, sn = size - 1, r = leaf;
    for (const p of path) {
      if (p.length !== 32) throw new Error("proof hash is not 32 bytes");
      if (sn === 0) throw new Error("inclusion proof is too long");
      if (fn & 1 || fn === sn) {
        r = await nodeHash(p, r);
        if (!(fn & 1)) { while (fn && !(fn & 1)) { fn >>= 1; sn >>= 1; } }
      } else {
        r = await nodeHash(r, p);
      }
      fn >>= 1; sn >>= 1;
    }
    if (sn !== 0) throw new Error("inclusion proof is too short");
    return r;
  }

  async function verifySignature(orderer, header, signature) {
    if (!orderer || !orderer.public_key || !signature) return "no orderer key";
    let key;
    try {
      key = await crypto.subtle.importKey("raw", unhex(orderer.public_key), { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      return "not checked (this browser has no Ed25519 in WebCrypto)";
    }
    const msg = concat(enc.encode("steeltrace:block:v1"), new Uint8Array([0]), enc.encode(jcs(header)));
    const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, unhex(signature), msg);
    if (!ok) throw new Error("the orderer's signature on the block header does not verify");
    return "signed by orderer " + orderer.id;
  }

  async function verifyBundle(b) {
    const steps = [];
    const p = b.proof, env = b.envelope, blk = b.block, header = blk.header;
    let leaf;
    if (b.withheld === true) {
      leaf = unhex(p.leaf_hash);
      if (leaf.length !== 32) throw new Error("proof hash is not 32 bytes");
      steps.push("content withheld from you: tx id and leaf hash not recomputed (the node's leaf hash is used)");
    } else {
      const body = Object.assign({}, env); delete body.signature;
      const txId = hex(await sha256(enc.encode(jcs(body))));
      if (txId !== p.tx_id) throw new Error("the envelope does not hash to the transaction id");
      steps.push("tx id = SHA-256 of the signed content");
      leaf = await sha256(concat(LEAF, enc.encode(jcs(env))));
      if (hex(leaf) !== p.leaf_hash) throw new Error("the leaf hash does not match the envelope");
      steps.push("leaf hash recomputed");
    }
    const root = await rootFromPath(p.leaf_index, p.tree_size, leaf, p.audit_path.map(unhex));
    if (hex(root) !== header.tx_root || p.root !== header.tx_root) {
      throw new Error("the audit path does not lead to the block's tx root");
    }
    steps.push("audit path of " + p.audit_path.length + " to tx root (" + p.tree_size + " leaves)");
    const blockHash = hex(await sha256(enc.encode(jcs(header))));
    if (blockHash !== p.block_hash || blockHash !== blk.block_hash || header.height !== p.block_height) {
      throw new Error("the block header does not hash to the block hash");
    }
    steps.push("block #" + header.height + " header hashes to " + blockHash.slice(0, 12) + "…");
    const results = hex(await sha256(enc.encode(jcs(blk.results))));
    const mine = blk.results[p.leaf_index] || [];
    if (results !== header.results_hash || mine[0] !== p.tx_id) {
      throw new Error("the block's results do not match its results hash");
    }
    steps.push("status '" + mine[1] + "' committed in results hash");
    steps.push(await verifySignature(b.orderer, header, blk.signature));
    return { status: mine[1], steps, partial: b.withheld === true };
  }

  async function run(button) {
    const box = button.closest(".verify-box");
    const out = box.querySelector(".verdict");
    out.className = "verdict pending";
    out.textContent = "checking…";
    out.removeAttribute("title");
    const why = box.querySelector(".why");
    if (why) why.remove();
    button.disabled = true;
    try {
      const res = await fetch("/proof/" + encodeURIComponent(button.dataset.tx) + ".json", { cache: "no-store" });
      if (res.status === 401) { window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search)); return; }
      if (!res.ok) throw new Error("the node has no proof (HTTP " + res.status + ")");
      const r = await verifyBundle(await res.json());
      out.className = r.partial ? "verdict partial" : "verdict ok";
      out.textContent = r.partial ? "partly verified" : "verified";
      out.title = r.steps.join("\n");
    } catch (e) {
      out.className = "verdict bad";
      out.textContent = "failed";
      out.title = String(e && e.message ? e.message : e);
      const reason = document.createElement("span");
      reason.className = "why";
      reason.textContent = out.title;
      box.appendChild(reason);
    } finally {
      button.disabled = false;
      box.dataset.checked = out.textContent;
    }
  }

  document.addEventListener("click", (ev) => {
    const b = ev.target.closest && ev.target.closest("button.verify");
    if (b) run(b);
  });
  window.steeltraceProof = { jcs, verifyBundle };
})();
