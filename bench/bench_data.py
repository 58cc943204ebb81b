"""Data pipeline speed: making the synthetic ESC-50, filling the feature cache, and how much of a
resnet18 training epoch (400 clips, 1 x 128 x 431 mel images, 2 CPU threads) waits for data.

Prints one line per measurement: what, soundimg time, reference time, ratio (reference / soundimg:
above 1 means soundimg is faster).
Run: python bench/bench_data.py [--bs 32] [--clips-per-class 40]"""
import time
import torch, soundfile as sf
import torchvision
from fastai.data.block import DataBlock, CategoryBlock
from fastai.data.transforms import ColReader
from soundimg.core import synth_audio
from soundimg.synthetic import synthetic_esc50
from soundimg.datasets import load_esc50
from soundimg.cache import FeatureCache
from soundimg.data import AudioBlock
from soundimg.spec_transform import AudioToSpec, SpecConfig

from _common import setup, line

args, tmp = setup(2, 'bench-data-', __doc__.splitlines()[0], bs=32, clips_per_class=40)

# 1. making the data set: vectorised synthetic_esc50 vs one synth_audio call + sf.write per clip
n_cls, cpc = 10, args.clips_per_class
t0 = time.perf_counter(); root = synthetic_esc50(tmp / 'esc', n_classes=n_cls, clips_per_class=cpc); t_ours = time.perf_counter() - t0
t0 = time.perf_counter()
kinds = ['sine', 'chirp', 'harmonic', 'am', 'fm', 'clicks', 'noise', 'noise', 'white', 'sine']
(tmp / 'ref').mkdir()
for c in range(n_cls):
    for j in range(cpc):
        y = synth_audio(kinds[c], sr=22050, duration=5.0, freq=300 + 50 * j, seed=j) + synth_audio('white', sr=22050, duration=5.0, amp=0.05, seed=j)
        sf.write(tmp / 'ref' / f"{c}-{j}.wav", y[0].numpy(), 22050, subtype='PCM_16')
t_ref = time.perf_counter() - t0
line(f"synthetic_esc50 {n_cls * cpc} clips x 5 s @ 22.05 kHz", t_ours, t_ref, 'per-clip synth_audio')
t0 = time.perf_counter(); synthetic_esc50(tmp / 'esc', n_classes=n_cls, clips_per_class=cpc); t_reuse = time.perf_counter() - t0
line("synthetic_esc50 again (reuse)", t_reuse, t_ours, 'first call')

# 2. filling the cache (decode + resample-free load + mel) vs reading it back
df = load_esc50(root)
cfg = SpecConfig(n_mels=128, n_fft=1024, hop_length=256)
cache = FeatureCache(AudioToSpec(cfg), sr=22050, duration=5.0)
t0 = time.perf_counter(); cache.precompute(df.audio_path, progress=False); t_fill = time.perf_counter() - t0
t0 = time.perf_counter()
for pth in df.audio_path: cache(pth)
t_hit = time.perf_counter() - t0
line(f"FeatureCache: read {len(df)} cached mels vs compute them", t_hit, t_fill, 'compute')
x = cache(df.audio_path[0])
print(f"cache: {len(cache)} items of {tuple(x.shape)}, {cache.nbytes / 2**20:.1f} MiB in memory (float16)")

# 3. a training epoch: time waiting for the next batch vs time in forward/backward/step
def model():
    m = torchvision.models.resnet18(weights=None, num_classes=n_cls)
    m.conv1 = torch.nn.Conv2d(1, 64, 7, 2, 3, bias=False)
    return m

def epoch(dl, m, opt, tfm=None):
    data_t = step_t = 0.0
    it = iter(dl); n = 0
    while True:
        t0 = time.perf_counter()
        try: xb, yb = next(it)
        except StopIteration: break
        if tfm is not None: xb = tfm(xb)
        t1 = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(m(xb.as_subclass(torch.Tensor)), yb.as_subclass(torch.Tensor))
        opt.zero_grad(); loss.backward(); opt.step()
        t2 = time.perf_counter()
        data_t += t1 - t0; step_t += t2 - t1; n += 1
    return data_t, step_t, n

splitter = lambda o: (list(range(len(o))), [0])                   # train on all 400 clips
warm = DataBlock(blocks=(cache.block(), CategoryBlock), get_x=ColReader('audio_path'), get_y=ColReader('category'),
                 splitter=splitter).dataloaders(df, bs=args.bs, num_workers=0, drop_last=False)
cold = DataBlock(blocks=(AudioBlock(sr=22050, duration=5.0, crop='center'), CategoryBlock), get_x=ColReader('audio_path'),
                 get_y=ColReader('category'), splitter=splitter).dataloaders(df, bs=args.bs, num_workers=0, drop_last=False)
m = model(); opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
d_w, s_w, n = epoch(warm.train, m, opt)
d_c, s_c, _ = epoch(cold.train, m, opt, tfm=AudioToSpec(cfg))
print(f"epoch of resnet18, {n} batches of {args.bs} x 1 x 128 x {x.shape[-1]}, 2 threads:")
line(f"  data wait, warm cache ({100 * d_w / (d_w + s_w):.1f}% of epoch)", d_w, s_w, 'model step')
line(f"  data wait, no cache: decode + mel ({100 * d_c / (d_c + s_c):.1f}% of epoch)", d_c, s_c, 'model step')
line("  data wait: warm cache vs no cache", d_w, d_c, 'no cache')
