"""T5 sizes (constructor arguments). v1.0: ReLU, tied head; v1.1: gated GELU, untied head."""

T5_PRESETS = {
    "t5_tiny": {
        "description": "2+2 layers, hidden 32 (v1.0 style): tests and the sample recipes.",
        "config": dict(vocabulary_size=1000, num_layers=2, num_heads=2, hidden_dim=32,
                       intermediate_dim=64),
    },
    "t5_v1_1_tiny": {
        "description": "2+2 layers, hidden 32, v1.1 style (gated GELU, untied head).",
        "config": dict(vocabulary_size=1000, num_layers=2, num_heads=2, hidden_dim=32,
                       intermediate_dim=64, activation="gated-gelu_approximate", tie_embeddings=False),
    },
    "t5_small": {
        "description": "T5-small geometry (6+6 layers, hidden 512), random init.",
        "config": dict(vocabulary_size=32128, num_layers=6, num_heads=8, hidden_dim=512,
                       intermediate_dim=2048),
    },
    "t5_small_hf": {
        "description": "google-t5/t5-small (v1.0) from the Hugging Face hub (needs network access).",
        "config": dict(vocabulary_size=32128, num_layers=6, num_heads=8, hidden_dim=512,
                       intermediate_dim=2048, head_dim=64),
        "hf_repo": "google-t5/t5-small",
    },
    "t5_v1_1_small_hf": {
        "description": "google/t5-v1_1-small from the Hugging Face hub (needs network access).",
        "config": dict(vocabulary_size=32128, num_layers=8, num_heads=6, hidden_dim=512,
                       intermediate_dim=1024, head_dim=64, activation="gated-gelu_approximate",
                       tie_embeddings=False),
        "hf_repo": "google/t5-v1_1-small",
    },
    "t5_base": {
        "description": "T5-base geometry (12+12 layers, hidden 768), random init.",
        "config": dict(vocabulary_size=32128, num_layers=12, num_heads=12, hidden_dim=768,
                       intermediate_dim=3072),
    },
}
