"""Loads Keras model files with real Keras and predicts the images given on stdin (JSON).

Input: {"files": [...], "count": N, "x": [N*28*28 floats]}. Output (last stdout line):
{"kerasVersion": "...", "outputs": {file: [probabilities...] or "error: ..."}}.
"""
import json
import sys

import numpy as np
import keras

data = json.load(sys.stdin)
x = np.array(data["x"], dtype="float32").reshape(data["count"], 28, 28, 1)
outputs = {}
for path in data["files"]:
    try:
        model = keras.models.load_model(path, compile=False)
        outputs[path] = model.predict(x, verbose=0).ravel().tolist()
    except Exception as err:  # reported per file, so one bad file doesn't hide the others
        outputs[path] = f"error: {type(err).__name__}: {err}"
print(json.dumps({"kerasVersion": keras.__version__, "outputs": outputs}))
