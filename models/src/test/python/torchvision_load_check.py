#!/usr/bin/env python3
"""Loads a streamssl snapshot's encoder.safetensors into torchvision's ResNet and embeds images with it.

torchvision's resnet18/34/50 with the CIFAR stem swapped in (conv1 = Conv2d(3, 64, 3, 1, 1, bias=False),
maxpool = Identity(), fc = Identity()), load_state_dict(strict=True), eval(). The images are a raw uint8 file of
count x size x size x 3 (RGB, HWC), normalised with the manifest's mean and std as streamssl does. Writes the
embeddings as little-endian float32, count x feature_dim, to --out.

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


def main(snapshot, images_file, count, size, out):
    with open(f"{snapshot}/manifest.json") as f:
        manifest = json.load(f)
    arch = manifest["encoder"]["arch"]
    model = getattr(torchvision.models, arch)()
    if manifest["encoder"]["stem"] == "cifar":
        model.conv1 = torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        model.maxpool = torch.nn.Identity()
    model.fc = torch.nn.Identity()
    model.load_state_dict(load_safetensors(f"{snapshot}/{manifest['safetensors_file']}"), strict=True)
    model.eval()

    pixels = np.fromfile(images_file, dtype=np.uint8).reshape(count, size, size, 3)
    x = torch.from_numpy(pixels.astype(np.float32)).permute(0, 3, 1, 2)
    mean = torch.tensor(manifest["mean"], dtype=torch.float32).view(1, 3, 1, 1) * 255
    std = torch.tensor(manifest["std"], dtype=torch.float32).view(1, 3, 1, 1) * 255
    with torch.no_grad():
        embedding = model((x - mean) / std)
    embedding.numpy().astype("<f4").tofile(out)
    print(f"torchvision {torchvision.__version__} {arch}: embedded {count} images, {tuple(embedding.shape)}, "
          f"max |value| {embedding.abs().max().item():.6f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
