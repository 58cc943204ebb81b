"""Augmentation speed: soundimg's batch transforms on 64 spectrograms (1 x 128 x 431, i.e. 5 s at
22.05 kHz with hop 256) or 64 clips (1 x 110250), against the same transform called item by item in a
Python loop (what a per-item `item_tfms` pipeline or fastaudio's transforms do), and torchaudio's
iid masking where it exists.

Prints one line per measurement: what, soundimg time, reference time, ratio (reference / soundimg,
the project's convention: above 1 means soundimg is faster). Run: python bench/bench_augment.py [--repeats 5]"""
import argparse, time
import torch
import torchaudio.transforms as T
from fastai.torch_core import TensorImageBase
from soundimg.core import AudioTensor
from soundimg.augment import (MaskFreq, MaskTime, SpecAugment, SGRoll, TimeShift, AddNoise, ChangeVolume,
                              SignalCutout, time_cutmix)

torch.set_num_threads(2)
p = argparse.ArgumentParser()
p.add_argument('--repeats', type=int, default=5)
p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
args = p.parse_args()
dev = torch.device(args.device)

def best(f):
    "Best of `repeats` wall times of `f()` (after one warm-up call)"
    f()
    times = []
    for _ in range(args.repeats):
        if dev.type == 'cuda': torch.cuda.synchronize()
        t0 = time.perf_counter(); f()
        if dev.type == 'cuda': torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return min(times)

def line(what, ours, ref, ref_name):
    print(f"{what:<52} soundimg {ours * 1e3:9.2f} ms   {ref_name:<22} {ref * 1e3:9.2f} ms   ratio {ref / ours:7.2f}x")

torch.manual_seed(0)
sgb = TensorImageBase(torch.randn(64, 1, 128, 431, device=dev))
clipb = AudioTensor(torch.randn(64, 1, 110250, device=dev) * 0.1, sr=22050)
print(f"device {dev}, {torch.get_num_threads()} threads; spectrograms {tuple(sgb.shape)}, clips {tuple(clipb.shape)}")

def per_item(tfm, xb):
    return lambda: torch.stack([tfm(x, split_idx=0) for x in xb])

for name, tfm in [('MaskFreq(num_masks=2, size=20)', MaskFreq(num_masks=2, size=20)),
                  ('MaskTime(num_masks=2, size=40)', MaskTime(num_masks=2, size=40)),
                  ('SpecAugment(2 freq + 2 time masks)', SpecAugment()),
                  ('SGRoll()', SGRoll())]:
    line(f"{name} on 64 spectrograms", best(lambda: tfm(sgb, split_idx=0)), best(per_item(tfm, sgb)), 'per-item loop')

# torchaudio's iid masks (one mask per call, per item, fill 0) for the same 2 + 2 masks
fm, tm = T.FrequencyMasking(int(0.15 * 128), iid_masks=True), T.TimeMasking(int(0.15 * 431), iid_masks=True)
plain = sgb.as_subclass(torch.Tensor)
ta = lambda: tm(tm(fm(fm(plain))))
sa = SpecAugment(val=0.)
line("SpecAugment(val=0) on 64 spectrograms", best(lambda: sa(sgb, split_idx=0)), best(ta), 'torchaudio iid masks')

for name, tfm in [('TimeShift(p=1)', TimeShift(p=1.)),
                  ("AddNoise(p=1, color='white')", AddNoise(p=1.)),
                  ("AddNoise(p=1, color='pink')", AddNoise(p=1., color='pink')),
                  ('ChangeVolume(p=1)', ChangeVolume(p=1.)),
                  ('SignalCutout(p=1)', SignalCutout(p=1.))]:
    line(f"{name} on 64 clips of 5 s", best(lambda: tfm(clipb, split_idx=0)), best(per_item(tfm, clipb)), 'per-item loop')

# mixing along time: one vectorised where() vs a per-item copy loop
n, W = sgb.shape[0], sgb.shape[-1]
partner, widths = torch.randperm(n, device=dev), torch.randint(0, W // 2, (n,), device=dev)
starts = (torch.rand(n, device=dev) * (W - widths)).long()
def loop_cutmix():
    out = plain.clone()
    for i in range(n): out[i, ..., starts[i]:starts[i] + widths[i]] = plain[partner[i], ..., starts[i]:starts[i] + widths[i]]
    return out
torch.testing.assert_close(time_cutmix(plain, partner, starts, widths), loop_cutmix())
line("time_cutmix on 64 spectrograms", best(lambda: time_cutmix(plain, partner, starts, widths)), best(loop_cutmix), 'per-item copy loop')
