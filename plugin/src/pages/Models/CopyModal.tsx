import React, { useState } from 'react';
import { Button, Field, Input, Modal } from '@grafana/ui';
import { MODEL_NAME_MAX_LENGTH, MODEL_NAME_PATTERN } from '@ollama-lens/contracts';

const NAME = new RegExp(MODEL_NAME_PATTERN);

/** Asks for the new name of a copy; the contract's name rule is checked here so the sidecar's 400 is rare. */
export function CopyModal({
  source,
  onCopy,
  onDismiss,
}: {
  source: string;
  onCopy: (destination: string) => void;
  onDismiss: () => void;
}) {
  const [destination, setDestination] = useState('');
  const name = destination.trim();
  const invalid = name !== '' && (!NAME.test(name) || name.length > MODEL_NAME_MAX_LENGTH);
  const same = name === source;
  return (
    <Modal title={`Copy ${source}`} isOpen onDismiss={onDismiss}>
      <Field
        label="New name"
        description="The copy shares the model's files; only a new name is written."
        invalid={invalid || same}
        error={
          same ? 'The copy needs a name of its own.' : 'Not a model name: letters, digits, . _ - and an optional :tag.'
        }
      >
        <Input
          aria-label="New name"
          value={destination}
          placeholder={`${source.split(':')[0]}-copy`}
          onChange={(e) => setDestination(e.currentTarget.value)}
        />
      </Field>
      <Modal.ButtonRow>
        <Button variant="secondary" fill="outline" onClick={onDismiss}>
          Cancel
        </Button>
        <Button disabled={name === '' || invalid || same} onClick={() => onCopy(name)}>
          Copy
        </Button>
      </Modal.ButtonRow>
    </Modal>
  );
}
