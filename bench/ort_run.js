#!/usr/bin/env node
// The benchmark's peer: runs an ONNX model with ONNX Runtime's CPU execution
// provider (onnxruntime-node) and prints its latency as one line of JSON.
//
//   node bench/ort_run.js --model M.onnx --input X.npy [--input Y.npy]...
//        [--threads 2] [--repeat 20] [--warmup 5] [--split-batch]
//        [--ort-dir build/bench/ort]
//        [--eval IN.npy[,IN2.npy...]:OUT.npy]...
//                          (also writes the first output for each IN)
//   node bench/ort_run.js --check [--ort-dir DIR]   (loads the library only)
//
// Prints {"median_ms":..,"min_ms":..,"max_ms":..,"runs":N,"threads":T,...}.
// The session uses intraOpNumThreads = --threads, one inter-op thread,
// sequential execution and every graph optimisation, like a default
// onnxruntime InferenceSession pinned to T threads. Inputs are NumPy .npy
// files (little-endian, C order; f32, f64, i32, i64); a small header parser
// reads them. One --input per graph input, in the graph's order (so with
// --eval); --split-batch takes a model of one input.
'use strict';

const fs = require('fs');
const path = require('path');

function usage(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = {
    threads: 2, repeat: 20, warmup: 5, evals: [], inputs: [], check: false,
    ortDir: path.join(__dirname, '..', 'build', 'bench', 'ort'),
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${a} expects a value`);
      return argv[++i];
    };
    const count = (min) => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) usage(`${a} expects an integer >= ${min}, got '${v}'`);
      return n;
    };
    if (a === '--model') args.model = value();
    else if (a === '--input') args.inputs.push(value());
    else if (a === '--threads') args.threads = count(1);
    else if (a === '--repeat') args.repeat = count(1);
    else if (a === '--split-batch') args.splitBatch = true;
    else if (a === '--warmup') args.warmup = count(0);
    else if (a === '--ort-dir') args.ortDir = value();
    else if (a === '--check') args.check = true;
    else if (a === '--eval') {
      const v = value();
      const colon = v.lastIndexOf(':');
      if (colon <= 0) usage(`--eval expects IN.npy:OUT.npy, got '${v}'`);
      args.evals.push([v.slice(0, colon).split(','), v.slice(colon + 1)]);
    } else usage(`unknown option '${a}'`);
  }
  if (!args.check && (!args.model || !args.inputs.length)) usage('--model and --input are required');
  if (args.splitBatch && args.inputs.length > 1) usage('--split-batch takes one --input');
  return args;
}

const DTYPES = {
  '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array],
  '<i4': ['int32', Int32Array], '<i8': ['int64', BigInt64Array],
};

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || buf.readUInt8(0) !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY')
    usage(`${file}: not a .npy file`);
  const major = buf.readUInt8(6);
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) usage(`${file}: malformed .npy header: ${header}`);
  if (fortran[1] === 'True') usage(`${file}: Fortran order is not supported`);
  const dt = DTYPES[descr[1].replace('|', '<')];
  if (!dt) usage(`${file}: unsupported dtype ${descr[1]}`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const bytes = buf.subarray(offset, offset + count * dt[1].BYTES_PER_ELEMENT);
  // Copy into an aligned buffer: the data offset need not be a multiple of the element size.
  const data = new dt[1](count);
  new Uint8Array(data.buffer).set(bytes);
  return { type: dt[0], data, dims };
}

function writeNpy(file, tensor) {
  const codes = { float32: '<f4', float64: '<f8', int32: '<i4', int64: '<i8' };
  const code = codes[tensor.type];
  if (!code) throw new Error(`cannot write a ${tensor.type} tensor as .npy`);
  const dims = tensor.dims.map(Number);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${code}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.writeUInt8(0x93, 0);
  pre.write('NUMPY', 1, 'latin1');
  pre.writeUInt8(1, 6);
  pre.writeUInt8(0, 7);
  pre.writeUInt16LE(header.length, 8);
  const data = tensor.data;
  fs.writeFileSync(file, Buffer.concat([
    pre, Buffer.from(header, 'latin1'),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

function loadOrt(dir) {
  const candidates = [path.resolve(dir, 'node_modules', 'onnxruntime-node'), 'onnxruntime-node'];
  for (const c of candidates) {
    try {
      return require(c);
    } catch (e) {
      if (c === candidates[candidates.length - 1])
        usage(`cannot load onnxruntime-node from ${dir} (run bench/run.sh, which installs it): ${e.message}`);
    }
  }
  return null;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const ort = loadOrt(args.ortDir);
  const version = (ort.env && ort.env.versions && (ort.env.versions.node || ort.env.versions.common)) || 'unknown';
  if (args.check) {
    // Creating a session is what loads the native CPU library; a model-less
    // check would only load the JS. Build a one-node Identity model in memory.
    const model = identityModel();
    const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
    const x = new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [3]);
    const out = await session.run({ x });
    const ok = Array.from(out.y.data).join(',') === '1,2,3';
    console.log(JSON.stringify({ ok, onnxruntime_node: version }));
    process.exit(ok ? 0 : 1);
  }

  const session = await ort.InferenceSession.create(args.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const name = session.inputNames[0];
  const feedsFor = (files) => {
    if (files.length !== session.inputNames.length)
      usage(`the model takes ${session.inputNames.length} input(s), got ${files.length}`);
    const feeds = {};
    files.forEach((file, i) => {
      const t = readNpy(file);
      feeds[session.inputNames[i]] = new ort.Tensor(t.type, t.data, t.dims);
    });
    return feeds;
  };

  for (const [inputs, output] of args.evals) {
    const out = await session.run(feedsFor(inputs));
    const t = out[session.outputNames[0]];
    writeNpy(output, { type: t.type, data: t.data, dims: t.dims });
  }

  // With --split-batch the input stacks rows along dimension 0 and every
  // run takes the next row, as Sift's executables do with the same flag.
  let batches = [feedsFor(args.inputs)];
  if (args.splitBatch) {
    const t = readNpy(args.inputs[0]);
    const rowSize = t.data.length / t.dims[0];
    batches = [];
    for (let r = 0; r < t.dims[0]; ++r)
      batches.push({ [name]: new ort.Tensor(t.type, t.data.slice(r * rowSize, (r + 1) * rowSize),
                                             [1, ...t.dims.slice(1)]) });
  }
  for (let i = 0; i < args.warmup; ++i)
    for (const feeds of batches) await session.run(feeds);
  const ms = [];
  for (let i = 0; i < args.repeat; ++i) {
    for (const feeds of batches) {
      const start = process.hrtime.bigint();
      await session.run(feeds);
      ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  ms.sort((a, b) => a - b);
  const n = ms.length;
  const median = n % 2 ? ms[(n - 1) / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  console.log(JSON.stringify({
    median_ms: median, min_ms: ms[0], max_ms: ms[n - 1], runs: n,
    warmup: args.warmup, threads: args.threads, onnxruntime_node: version,
  }));
}

// A serialized ONNX ModelProto: ir_version 8, opset 17, graph y = Identity(x),
// x and y float[3]. Hand-encoded protobuf so the check needs no model file.
function identityModel() {
  const varint = (n) => { const b = []; while (n > 127) { b.push((n & 127) | 128); n >>>= 7; } b.push(n); return b; };
  const field = (num, bytes) => [...varint((num << 3) | 2), ...varint(bytes.length), ...bytes];
  const str = (s) => [...Buffer.from(s, 'utf8')];
  const intField = (num, v) => [...varint(num << 3), ...varint(v)];
  const valueInfo = (nm) => field(1, str(nm)).concat(field(2, // TypeProto
    field(1, intField(1, 1).concat(field(2, field(1, intField(1, 3))))))); // tensor_type{elem_type=FLOAT, shape{dim{dim_value=3}}}
  const node = field(1, str('x')).concat(field(2, str('y')), field(4, str('Identity')));
  const graph = field(1, node).concat(field(2, str('g')), field(11, valueInfo('x')), field(12, valueInfo('y')));
  const model = intField(1, 8).concat(field(7, graph), field(8, intField(2, 17)));
  return Uint8Array.from(model);
}

main().catch((e) => {
  process.stderr.write(`error: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
