#!/usr/bin/env python3
"""Loads a streamssl snapshot's encoder.safetensors into torchvision's ResNet (or timm's ViT) and embeds images.

torchvision's resnet18/34/50 with the CIFAR stem swapped in (conv1 = Conv2d(3, 64, 3, 1, 1, bias=False),
maxpool = Identity(), fc = Identity()), load_state_dict(strict=True), eval(). The images are a raw uint8 file of
count x size x size x 3 (RGB, HWC), normalised with the manifest's mean and std as streamssl does. Writes the
embeddings as little-endian float32, count x feature_dim, to --out.

For a ViT snapshot (timm is not a Debian package) the model is TimmVisionTransformer below: timm's
VisionTransformer forward pass (class token, pre-norm blocks, LayerNorm eps 1e-6, fused qkv, exact GELU, final norm,
class-token pooling, num_classes=0) transcribed with timm's module names, so strict loading checks timm's names.

Needs only torch, torchvision and numpy (Debian: python3-torch python3-torchvision); the `safetensors` package is
not needed: the file is parsed here (8-byte little-endian header length, JSON header, raw little-endian data).
Usage: torchvision_load_check.py SNAPSHOT_DIR IMAGES_RAW COUNT SIZE OUT
"""
import json
import sys

import numpy as np
import torch
import torchvision

DTYPES = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4"}


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    tensors = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        begin, end = t["data_offsets"]
        array = np.frombuffer(data[8 + n + begin:8 + n + end], dtype=DTYPES[t["dtype"]]).reshape(t["shape"])
        tensors[name] = torch.from_numpy(array.astype(array.dtype.newbyteorder("="), copy=True))
    return tensors


class TimmAttention(torch.nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.qkv = torch.nn.Linear(dim, dim * 3)
        self.proj = torch.nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4).unbind(0)
        attn = ((q * self.head_dim ** -0.5) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class TimmMlp(torch.nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.fc1, self.act, self.fc2 = torch.nn.Linear(dim, 4 * dim), torch.nn.GELU(), torch.nn.Linear(4 * dim, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class TimmBlock(torch.nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1, self.attn = torch.nn.LayerNorm(dim, eps=1e-6), TimmAttention(dim, heads)
        self.norm2, self.mlp = torch.nn.LayerNorm(dim, eps=1e-6), TimmMlp(dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class TimmPatchEmbed(torch.nn.Module):
    def __init__(self, dim, patch):
        super().__init__()
        self.proj = torch.nn.Conv2d(3, dim, patch, patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class TimmVisionTransformer(torch.nn.Module):
    def __init__(self, img_size, patch, dim, depth, heads):
        super().__init__()
        self.patch_embed = TimmPatchEmbed(dim, patch)
        self.cls_token = torch.nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = torch.nn.Parameter(torch.zeros(1, 1 + (img_size // patch) ** 2, dim))
        self.blocks = torch.nn.Sequential(*[TimmBlock(dim, heads) for _ in range(depth)])
        self.norm = torch.nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        return self.norm(self.blocks(x))[:, 0]


VIT_HEADS = {"vit-tiny": 3, "vit-small": 6}


def build(manifest, size):
    encoder = manifest["encoder"]
    arch = encoder["arch"]
    if arch in VIT_HEADS:
        heads = VIT_HEADS[arch]
        patch = 4 if encoder["stem"] == "cifar" else 16
        return TimmVisionTransformer(size, patch, heads * encoder["width"], 12, heads)
    model = getattr(torchvision.models, arch)()
    if encoder["stem"] == "cifar":
        model.conv1 = torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        model.maxpool = torch.nn.Identity()
    model.fc = torch.nn.Identity()
    return model


def main(snapshot, images_file, count, size, out):
    with open(f"{snapshot}/manifest.json") as f:
        manifest = json.load(f)
    arch = manifest["encoder"]["arch"]
    model = build(manifest, size)
    model.load_state_dict(load_safetensors(f"{snapshot}/{manifest['safetensors_file']}"), strict=True)
    model.eval()

    pixels = np.fromfile(images_file, dtype=np.uint8).reshape(count, size, size, 3)
    x = torch.from_numpy(pixels.astype(np.float32)).permute(0, 3, 1, 2)
    mean = torch.tensor(manifest["mean"], dtype=torch.float32).view(1, 3, 1, 1) * 255
    std = torch.tensor(manifest["std"], dtype=torch.float32).view(1, 3, 1, 1) * 255
    with torch.no_grad():
        embedding = model((x - mean) / std)
    embedding.numpy().astype("<f4").tofile(out)
    print(f"torch {torch.__version__} torchvision {torchvision.__version__} {arch}: embedded {count} images, {tuple(embedding.shape)}, "
          f"max |value| {embedding.abs().max().item():.6f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
