"""The Keras 3 ops neurona does not provide, and the error that says so."""

from ..validation import did_you_mean

#: Keras 3 op name -> why neurona does not have it
MISSING = {
    **dict.fromkeys(("angle", "conj", "conjugate", "imag", "real", "polar", "view_as_complex",
                     "view_as_real"), "neurona's tensors are real: there are no complex numbers"),
    **dict.fromkeys(("fft", "fft2", "ifft2", "rfft", "irfft", "stft", "istft"),
                    "there are no Fourier transforms (they need complex numbers)"),
    **dict.fromkeys(("cholesky", "cholesky_inverse", "eig", "eigh", "lstsq", "lu_factor",
                     "matrix_rank", "pinv", "qr", "svd"),
                    "matrix decompositions are not provided (inv, det, slogdet, solve, "
                    "solve_triangular and norm are)"),
    **dict.fromkeys(("ctc_loss", "ctc_decode"), "CTC is not provided"),
    **dict.fromkeys(("custom_gradient", "jvp", "vectorize"),
                    "the engine records its own Functions; user-defined gradient rules and "
                    "forward-mode derivatives are not provided"),
    **dict.fromkeys(("i0", "erfinv", "rearrange", "view", "fold", "unfold"),
                    "this op is not provided yet"),
    **dict.fromkeys(("affine_transform", "crop_images", "elastic_transform", "extract_patches",
                     "extract_patches_3d", "gaussian_blur", "hsv_to_rgb", "map_coordinates",
                     "pad_images", "perspective_transform", "rgb_to_hsv", "scale_and_translate",
                     "sobel_edges", "ssim"),
                    "of keras.ops.image, only resize and rgb_to_grayscale are provided"),
}


def missing(module, name, public):
    """The AttributeError for ``module.name``: why a Keras op is absent, or the closest name."""
    if name in MISSING:
        return AttributeError(f"{module} has no {name!r}: {MISSING[name]}")
    return AttributeError(f"module {module!r} has no attribute {name!r}."
                          f"{did_you_mean(name, public)}")
