"""The three objectives of `zoo.recipes.pretrain`, each: its feature table, model, training batches (new masks
every step, `zoo.models.pretraining`) and held-out metrics (on masks drawn once, so epochs compare)."""

import numpy as np
import tensorflow as tf

from zoo.training.batches import FeatureTable, bucket_lengths


def _forward(model):
    return tf.function(lambda inputs: model(inputs, training=False), reduce_retracing=True)


class MaskedLanguageModel:
    """BERT: `MaskedLM(include_nsp=True)` over a `BertBackbone`; metric: held-out masked-token accuracy."""

    metric = "mlm_accuracy"

    def __init__(self, config, tokenizer):
        from zoo.models import bert_mask_generator

        self.config, self.tokenizer = config, tokenizer
        max_selections = max(1, round(config.max_sequence_length * config.mask_rate))
        special = [tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id]
        self.generator = bert_mask_generator(tokenizer.vocabulary_size(), tokenizer.mask_token_id, special,
                                             max_selections, selection_rate=config.mask_rate)

    def table(self, columns, held_out=False):
        if held_out:  # masked once
            columns = dict(columns)
            masked = self.generator(tf.constant(columns["token_ids"]))
            columns.update({name: value.numpy() for name, value in masked.items()})
        return FeatureTable(columns, sequence_columns=("token_ids", "segment_ids", "padding_mask"))

    def build_model(self):
        from zoo.models import BertBackbone, MaskedLM

        config = self.config
        backbone = BertBackbone(vocabulary_size=self.tokenizer.vocabulary_size(), num_layers=config.num_layers,
                                num_heads=config.num_heads, hidden_dim=config.hidden_dim,
                                intermediate_dim=config.intermediate_dim, dropout=config.dropout,
                                max_sequence_length=config.max_sequence_length)
        return MaskedLM(backbone, include_nsp=True)

    def split(self, batch):
        from zoo.models.pretraining import masked_lm_batch

        return masked_lm_batch(batch, self.generator)

    def evaluate(self, model, table):
        forward = _forward(model)
        correct = selected = nsp_correct = 0
        for batch in table.dataset(table.sorted_batches(self.config.eval_batch_size,
                                                        bucket_lengths(self.config.max_sequence_length))):
            outputs = forward({name: batch[name] for name in ("token_ids", "segment_ids", "padding_mask",
                                                              "mask_positions")})
            weights = batch["mask_weights"].numpy()
            hits = outputs["mlm_logits"].numpy().argmax(-1) == batch["mask_ids"].numpy()
            correct, selected = correct + (hits * weights).sum(), selected + weights.sum()
            nsp_correct += (outputs["nsp_logits"].numpy().argmax(-1) == batch["next_sentence_labels"].numpy()).sum()
        return {"mlm_accuracy": 100.0 * correct / max(selected, 1), "nsp_accuracy": 100.0 * nsp_correct / len(table)}


class CausalLanguageModel:
    """GPT: `CausalLM` over a `GPTBackbone`; metrics: held-out perplexity and next-token accuracy (the mean
    log-likelihood, higher is better, picks the best epoch)."""

    metric = "log_likelihood"

    def __init__(self, config, tokenizer):
        self.config, self.tokenizer = config, tokenizer

    def table(self, rows, held_out=False):
        return FeatureTable({"token_ids": rows, "padding_mask": np.ones(rows.shape, bool)})

    def build_model(self):
        from zoo.models import CausalLM, GPTBackbone

        config = self.config
        return CausalLM(GPTBackbone(vocabulary_size=self.tokenizer.vocabulary_size(), num_layers=config.num_layers,
                                    num_heads=config.num_heads, hidden_dim=config.hidden_dim,
                                    intermediate_dim=config.intermediate_dim, dropout=config.dropout,
                                    max_sequence_length=config.max_sequence_length))

    def split(self, batch):
        from zoo.models.pretraining import causal_lm_batch

        return causal_lm_batch(batch)

    def evaluate(self, model, table):
        from zoo.metrics import perplexity

        forward = _forward(model)
        total_nll = tokens = correct = 0.0
        for batch in table.dataset(table.sorted_batches(self.config.eval_batch_size, [table.max_length])):
            ids = batch["token_ids"]
            logits = forward({"token_ids": ids[:, :-1], "padding_mask": batch["padding_mask"][:, :-1]})
            labels = ids[:, 1:]
            nll = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=tf.cast(logits, tf.float32))
            total_nll += float(tf.reduce_sum(nll))
            tokens += int(tf.size(labels))
            correct += float(tf.reduce_sum(tf.cast(tf.argmax(logits, -1, output_type=tf.int32) == labels, tf.float32)))
        return {"perplexity": perplexity(total_nll, tokens), "log_likelihood": -total_nll / tokens,
                "accuracy": 100.0 * correct / tokens}


class SpanCorruption:
    """T5: `Seq2SeqLM` over a `T5Backbone` whose vocabulary is the SentencePiece pieces plus one sentinel per span
    (`<extra_id_0>` the largest id); metric: held-out target token accuracy (teacher forced)."""

    metric = "target_accuracy"

    def __init__(self, config, tokenizer, raw_length):
        from zoo.data.span_corruption import span_corruption_lengths

        self.config, self.tokenizer, self.raw_length = config, tokenizer, raw_length
        inputs_length, targets_length = span_corruption_lengths(raw_length, config.mask_rate, config.mean_span_length)
        self.num_sentinels = (inputs_length + targets_length - raw_length - 2) // 2
        self.vocabulary_size = tokenizer.vocabulary_size() + self.num_sentinels
        self.first_sentinel_id = self.vocabulary_size - 1

    def _batch(self, batch, seed=None):
        from zoo.models.pretraining import span_corruption_batch

        return span_corruption_batch(batch, self.first_sentinel_id, self.tokenizer.eos_token_id,
                                     self.tokenizer.pad_token_id, self.config.mask_rate,
                                     self.config.mean_span_length, seed=seed)

    def table(self, rows, held_out=False):
        columns = {"token_ids": rows}
        if held_out:  # corrupted once
            inputs, targets, _ = self._batch({"token_ids": tf.constant(rows)}, seed=(self.config.seed, 0))
            columns = {"encoder_token_ids": inputs["encoder_token_ids"].numpy(),
                       "decoder_token_ids": inputs["decoder_token_ids"].numpy(), "labels": targets.numpy()}
        columns["padding_mask"] = np.ones(next(iter(columns.values())).shape, bool)
        return FeatureTable(columns, sequence_columns=())

    def build_model(self):
        from zoo.models import Seq2SeqLM, T5Backbone

        config = self.config
        return Seq2SeqLM(T5Backbone(vocabulary_size=self.vocabulary_size, num_layers=config.num_layers,
                                    num_heads=config.num_heads, hidden_dim=config.hidden_dim,
                                    intermediate_dim=config.intermediate_dim, dropout=config.dropout))

    def split(self, batch):
        return self._batch(batch)

    def evaluate(self, model, table):
        forward = _forward(model)
        correct = total = 0
        for batch in table.dataset(table.sorted_batches(self.config.eval_batch_size, [table.max_length])):
            encoder = batch["encoder_token_ids"]
            logits = forward({"encoder_token_ids": encoder, "encoder_padding_mask": tf.ones_like(encoder, tf.bool),
                              "decoder_token_ids": batch["decoder_token_ids"]})
            correct += int(tf.reduce_sum(tf.cast(tf.argmax(logits, -1, output_type=tf.int32) == batch["labels"],
                                                 tf.int32)))
            total += int(tf.size(batch["labels"]))
        return {"target_accuracy": 100.0 * correct / total}
