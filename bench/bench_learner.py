"""Training speed: an `audio_learner` epoch vs the same model's pure forward/backward on the same batches.

The difference is what the data pipeline (reading files, cropping, spectrograms, normalisation) and fastai's
callbacks cost per epoch. Prints one line per measurement: what, soundimg's time, the reference's time, and
ratio (reference / soundimg: 1.0 means no overhead). Same process, same batches, CPU, with 2 torch threads
(the house setting) and with 1 (on a shared 2-core machine OpenMP's busy-waiting made 2 threads far slower).
Run: python bench/bench_learner.py"""
import time, tempfile
from pathlib import Path
import torch
from soundimg.synthetic import synthetic_esc50
from soundimg.datasets import load_esc50
from soundimg.spectrogram import AudioToSpec
from soundimg.learner import audio_learner
from soundimg.data import fold_dataloaders

torch.set_num_threads(2)
BS, SR = 16, 16000


def report(what, ours, ref, ref_name):
    print(f"{what:<52} soundimg {ours:7.2f}s  {ref_name} {ref:7.2f}s  ratio {ref / ours:5.2f}x")


def pure_epoch(model, loss_func, opt, batches):
    "One epoch of forward + backward + step over tensors already in memory"
    model.train()
    for xb, yb in batches:
        loss = loss_func(model(xb), yb)
        loss.backward(); opt.step(); opt.zero_grad()


def main():
    tmp = Path(tempfile.mkdtemp())
    df = load_esc50(synthetic_esc50(tmp / 'synth', n_classes=10, clips_per_class=10, sr=SR, duration=5.0, folds=5))
    for threads, workers in ((2, 0), (2, 2), (1, 0), (1, 2)):
        torch.set_num_threads(threads)
        dls = fold_dataloaders(df, 1, bs=BS, sr=SR, num_workers=workers,
                               batch_tfms=[AudioToSpec(n_fft=1024, hop_length=512, n_mels=64)])
        learn = audio_learner(dls, 'resnet18', pretrained=False)
        with learn.no_bar(), learn.no_logging():
            learn.fit(1, 1e-3)                                       # warm up
            t = time.perf_counter(); learn.fit(1, 1e-3); fastai_s = time.perf_counter() - t
        batches = [(xb.as_subclass(torch.Tensor).clone(), yb.as_subclass(torch.Tensor).clone()) for xb, yb in learn.dls.train]
        valid = [(xb.as_subclass(torch.Tensor).clone(), yb.as_subclass(torch.Tensor).clone()) for xb, yb in learn.dls.valid]
        model, opt = learn.model, torch.optim.Adam(learn.model.parameters(), 1e-3)
        loss_func = torch.nn.CrossEntropyLoss()
        pure_epoch(model, loss_func, opt, batches[:2])                 # warm up
        t = time.perf_counter()
        pure_epoch(model, loss_func, opt, batches)
        model.eval()
        with torch.no_grad():
            for xb, _ in valid: model(xb)
        pure_s = time.perf_counter() - t
        report(f"epoch, {len(df) * 4 // 5} 5-s clips, threads={threads} workers={workers}", fastai_s, pure_s, 'fwd/bwd')


if __name__ == '__main__': main()
