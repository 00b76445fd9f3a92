"""GPT-2 sizes (constructor arguments)."""

GPT_PRESETS = {
    "gpt_tiny": {
        "description": "2 layers, hidden 32: tests and the sample recipes.",
        "config": dict(vocabulary_size=1000, num_layers=2, num_heads=2, hidden_dim=32,
                       intermediate_dim=128, max_sequence_length=128),
    },
    "gpt_small": {
        "description": "4 layers, hidden 256, vocab 8192 (the generation benchmark config).",
        "config": dict(vocabulary_size=8192, num_layers=4, num_heads=4, hidden_dim=256,
                       intermediate_dim=1024, max_sequence_length=512),
    },
    "gpt2": {
        "description": "openai-community/gpt2 (124M) from the Hugging Face hub (needs network access).",
        "config": dict(vocabulary_size=50257, num_layers=12, num_heads=12, hidden_dim=768,
                       intermediate_dim=3072, max_sequence_length=1024),
        "hf_repo": "openai-community/gpt2",
    },
    "gpt2_base": {
        "description": "GPT-2 124M geometry (12 layers, hidden 768), random init.",
        "config": dict(vocabulary_size=50257, num_layers=12, num_heads=12, hidden_dim=768,
                       intermediate_dim=3072, max_sequence_length=1024),
    },
}
