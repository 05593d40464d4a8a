import type { StreamExample } from '../../core/sdk/connector.js';

/** Uses of the `files` stream over SFTP; a test loads each as a pipeline. */
export const SFTP_FILES_EXAMPLES: readonly StreamExample[] = [
  {
    title: "Read the ERP's XML orders once their done-marker is there, then archive them",
    yaml: `connections:
  erp-sftp:
    connector: sftp
    config:
      host: sftp.erp.example.com
      username: keel
      private_key: \${file:secrets/erp_id_ed25519}
      host_key: "SHA256:rTg6zW1Mq7Sg3dJ5x5qf9gqzG0a3m1Hn2b8sXxk8m1s"
      root: /exchange
source:
  connection: erp-sftp
  stream: files
  options:
    path: "outbound/ORDERS_*.xml"
    xml: { record: ORDER }
    done_suffix: ".ok"
    archive_dir: outbound/done
    error_dir: outbound/rejected
`,
  },
  {
    title: 'Upload one CSV stock file per batch, atomically',
    yaml: `connections:
  erp-sftp:
    connector: sftp
    config:
      host: sftp.erp.example.com
      username: keel
      password: \${env:ERP_SFTP_PASSWORD}
      host_key: "SHA256:rTg6zW1Mq7Sg3dJ5x5qf9gqzG0a3m1Hn2b8sXxk8m1s"
targets:
  - connection: erp-sftp
    stream: files
    options: { path: "inbound/STOCK_{seq}.csv" }
`,
  },
];
