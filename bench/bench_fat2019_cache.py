"""FSDKaggle2019 conversion at the Kaggle kernel's settings (44.1 kHz, 128 mels, n_fft 2560, hop 694,
trim silence, pad to 2 s, mono_to_color): soundimg's FeatureCache (TrimPad + AudioToSpec + MonoToColor,
float16 on disk) against the kernel's own librosa code, on synthetic clips with FSDKaggle2019's
spread of lengths (0.3-30 s, log-uniform). Also: cache size per 1000 clips, and reading the cache back.

Prints one line per measurement: what, soundimg time, reference time, ratio (reference / soundimg:
above 1 means soundimg is faster).
Run: python bench/bench_fat2019_cache.py [--clips 60] [--channels 3]"""
import time
import numpy as np, librosa, soundfile as sf
from torch import nn
from soundimg.synthetic import synthetic_fat2019
from soundimg.datasets import load_fat2019
from soundimg.data import LoadAudio
from soundimg.cache import FeatureCache
from soundimg.spec_transform import AudioToSpec
from soundimg.features import MonoToColor
from soundimg.crop import TrimPad

from _common import setup, line

args, tmp = setup(1, 'bench-fat-', __doc__.splitlines()[0], clips=60, channels=3)
SR, N_MELS, N_FFT, HOP, F_MIN = 44100, 128, 2560, 694, 20

root = synthetic_fat2019(tmp / 'fat', n_classes=8, n_curated=args.clips, n_test=0, sr=SR, min_duration=0.3, max_duration=30.0)
df = load_fat2019(root)
secs = np.array([sf.info(f).duration for f in df.audio_path])

# the kernel's conversion (read_audio with trim and 2 s padding, melspectrogram, power_to_db, mono_to_color)
def kernel_image(path):
    y, sr = librosa.load(path, sr=SR)
    if len(y): y, _ = librosa.effects.trim(y)
    n = SR * 2
    if len(y) < n:
        off = (n - len(y)) // 2
        y = np.pad(y, (off, n - len(y) - off), 'constant')
    S = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=SR, n_mels=N_MELS, hop_length=HOP, n_fft=N_FFT, fmin=F_MIN, fmax=SR // 2)).astype(np.float32)
    X = np.stack([S] * 3, axis=-1)
    X = (X - X.mean()) / (X.std() + 1e-6)
    return (255 * (X - X.min()) / (X.max() - X.min())).astype(np.uint8)

t0 = time.perf_counter(); ref = [kernel_image(f) for f in df.audio_path]; t_ref = time.perf_counter() - t0
tfm = nn.Sequential(TrimPad(2.0), AudioToSpec(sr=SR, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS, f_min=F_MIN), MonoToColor(args.channels))
cache = FeatureCache(tfm, loader=LoadAudio(sr=SR), path=tmp / 'cache')
t0 = time.perf_counter(); cache.precompute(df.audio_path, progress=False); t_fill = time.perf_counter() - t0
line(f"convert {len(df)} clips ({secs.sum():.0f} s of audio) to images", t_fill, t_ref, 'kernel librosa')
t0 = time.perf_counter()
for f in df.audio_path: cache(f)
t_hit = time.perf_counter() - t0
line(f"read the {len(df)} cached images back vs converting them", t_hit, t_fill, 'convert')
x = cache(df.audio_path[0])
ours = [cache(f) for f in df.audio_path]
same_width = all(o.shape[-1] == r.shape[1] for o, r in zip(ours, ref))
close = np.mean([(np.abs(o[0].numpy() - r[..., 0].astype(np.float32)) <= 2).mean() for o, r in zip(ours, ref) if o.shape[-1] == r.shape[1]])
print(f"images: same widths as the kernel's for all clips: {same_width}; pixels within 2 grey levels of the kernel's: {close:.1%}")
size = sum(f.stat().st_size for f in cache.path.glob('*.npy'))
per_s = size / secs.sum()
print(f"cache: {len(df)} float16 images of {tuple(x.shape[:2])} x frames, {size / 2**20:.1f} MiB, {per_s / 1e3:.1f} kB per second of audio")
print(f"cache per 1000 clips: {size / len(df) * 1000 / 2**20:.0f} MiB at this set's mean length {secs.mean():.1f} s; "
      f"{per_s * 7.6 * 1000 / 2**20:.0f} MiB at FSDKaggle2019 curated's mean 7.6 s ({args.channels} channel(s); one channel stores 1/{args.channels} of it)")
